package executor

import (
	"strconv"
	"strings"

	"github.com/machinable-go/machinable/runtime"
)

// applySettings fills in what neither the caller nor the script gave from
// x.Settings, as 2.x does with its settings file: the storage, the engine
// (and engines.native.processes for a bare "native") and the project.
// The code backup default is merged in codeBackupConfig, below the
// project's code_backup: section.
func (x *Executor) applySettings(req runtime.ExecuteRequest) runtime.ExecuteRequest {
	s := x.Settings
	if s == nil {
		return req
	}
	if req.Storage == "" {
		req.Storage = s.DefaultStorage
	}
	if req.Engine == nil && s.DefaultEngine != nil {
		req.Engine = s.DefaultEngine
	}
	if s.NativeProcesses > 0 {
		switch e := req.Engine.(type) {
		case nil:
			req.Engine = "native:" + strconv.Itoa(s.NativeProcesses)
		case string:
			if strings.TrimSpace(e) == "native" {
				req.Engine = "native:" + strconv.Itoa(s.NativeProcesses)
			}
		}
	}
	if req.Project == "" {
		req.Project = s.DefaultProject
	}
	return req
}

// settingsCodeBackup is default_code_backup of the settings, or nil.
func (x *Executor) settingsCodeBackup() any {
	if x.Settings == nil {
		return nil
	}
	return x.Settings.DefaultCodeBackup
}
