package backup

import (
	"sort"
	"strings"

	"github.com/go-git/go-git/v5/config"
)

// pickRemote returns the URL of "origin", else of the first remote by name,
// so that the recorded remote does not depend on map iteration order.
func pickRemote(remotes map[string]*config.RemoteConfig) string {
	if rc, ok := remotes["origin"]; ok && len(rc.URLs) > 0 {
		return stripCredentials(rc.URLs[0])
	}
	names := make([]string, 0, len(remotes))
	for name := range remotes {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		if urls := remotes[name].URLs; len(urls) > 0 {
			return stripCredentials(urls[0])
		}
	}
	return ""
}

// stripCredentials removes the user-info part of a URL before it is written
// into results that may be shared: "https://user:secret@host/x" and
// "https://token@host/x" both become "https://host/x". A bare user name in
// ssh-style URLs ("ssh://git@host/x") is not a secret and is kept, and
// scp-like addresses ("git@host:org/repo") have no scheme and are returned
// unchanged.
func stripCredentials(raw string) string {
	i := strings.Index(raw, "://")
	if i < 0 {
		return raw
	}
	scheme := strings.ToLower(raw[:i])
	rest := raw[i+3:]
	authEnd := strings.IndexAny(rest, "/?#")
	if authEnd < 0 {
		authEnd = len(rest)
	}
	at := strings.LastIndex(rest[:authEnd], "@")
	if at < 0 {
		return raw
	}
	userinfo := rest[:at]
	if !strings.Contains(userinfo, ":") && strings.Contains(scheme, "ssh") {
		return raw
	}
	return raw[:i+3] + rest[at+1:]
}
