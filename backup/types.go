package backup

import "time"

// ManifestName is the path of the manifest inside the zip. It lives under
// a dot directory so that it cannot be mistaken for project code.
const ManifestName = ".machinable/backup.json"

// defaultMaxFileSize keeps data sets and model weights that sit in the
// project out of the code backup.
const defaultMaxFileSize = 10 * 1024 * 1024

// Options configure a backup; the zero value means defaults.
type Options struct {
	MaxFileSize int64    // files larger than this are skipped; 0 means 10 MB
	Exclude     []string // extra gitignore-style patterns, relative to the project
	SkipDirs    []string // absolute directories never backed up (e.g. a results storage inside the project)
}

func (o Options) maxFileSize() int64 {
	if o.MaxFileSize <= 0 {
		return defaultMaxFileSize
	}
	return o.MaxFileSize
}

// Version is the code version stored in execution.json.
type Version struct {
	Git      bool     `json:"git"`                // project is inside a git work tree
	Commit   string   `json:"commit,omitempty"`   // HEAD commit hash ("" for a repo without commits)
	Branch   string   `json:"branch,omitempty"`   // short branch name; "" when detached
	Dirty    bool     `json:"dirty"`              // tracked files changed, or untracked not-ignored files present
	Remote   string   `json:"remote,omitempty"`   // URL of "origin" (else the first remote), credentials stripped
	Modified []string `json:"modified,omitempty"` // when dirty: "M ", "A ", "D " or "?? " + path relative to the repo root
}

// Skipped is a file of the project that was left out of the zip, and why.
type Skipped struct {
	Path   string `json:"path"`   // relative to the project, slash-separated
	Reason string `json:"reason"` // e.g. "binary", "too large (12.3 MB > 10 MB)"
	Size   int64  `json:"size"`   // bytes
}

// Manifest describes a backup; it is returned by Write and Restore and
// stored in the zip as ManifestName.
type Manifest struct {
	Project  string    `json:"project"`            // absolute project dir
	Created  time.Time `json:"created"`            // when the backup was written
	Files    int       `json:"files"`              // files stored (symlinks included)
	Bytes    int64     `json:"bytes"`              // uncompressed bytes stored
	Skipped  []Skipped `json:"skipped"`            // files left out, with the reason
	Version  Version   `json:"version"`            // the git state of the project
	Warnings []string  `json:"warnings,omitempty"` // e.g. not a git repository
}

// Reasons for skipping a file, shared by the walk and the tests.
const (
	reasonBinary         = "binary"
	reasonSymlinkOutside = "symlink outside the project"
	// A link into the project by absolute path would, once restored
	// elsewhere, point back into the original project.
	reasonSymlinkAbsolute = "symlink with an absolute target"
	reasonSpecial         = "not a regular file"
	reasonManifestClash   = "clashes with the backup manifest"
	reasonUnreadablePrefx = "unreadable: "
)
