// Package backup keeps the code that ran an experiment next to its results
// (SPEC §8): it zips the files of a project that git would consider and
// records the code version (commit, branch, dirty flag, remote) that goes
// into execution.json (SPEC §6).
//
// Which files: the files under the project directory that are tracked in
// the git index, or untracked and not ignored by any .gitignore (nested
// ones included), .git/info/exclude or the user's global excludes file.
// Tracked files are kept even when an ignore pattern matches them, as git
// does. Any .git directory or file, Options.SkipDirs and Options.Exclude
// are never stored; binary files (a NUL byte in the first 8000 bytes, git's
// heuristic) and files over Options.MaxFileSize are skipped and listed in
// the manifest with the reason. Symlinks are stored as symlinks (Info-ZIP
// style) and never followed; a symlink whose target lies outside the
// project is skipped, because restoring it would point out of the restored
// tree. A project outside git is backed up without ignore rules, with a
// warning in the manifest.
//
// The code version is computed for the whole repository, not only the
// project directory, because a commit describes the whole repository:
// tracked changes come from comparing HEAD, the index and the work tree
// (stat first, hashing only when the stat data cannot decide), untracked
// files from an ignore-aware walk of the work tree. go-git's
// Worktree.Status is not used because it hashes every file.
//
// The zip is deterministic in its entry order (sorted by path) and keeps
// each file's modification time; the manifest is stored last under
// ManifestName. Restore unpacks such a zip safely (no zip-slip, no writing
// through symlinks).
package backup
