package engines

import (
	"reflect"
	"strings"
	"testing"
)

func TestParseSpec(t *testing.T) {
	cases := []struct {
		in   any
		want Spec
	}{
		{nil, Spec{Type: "native", Options: map[string]any{}}},
		{"", Spec{Type: "native", Options: map[string]any{}}},
		{"native", Spec{Type: "native", Options: map[string]any{}}},
		{"native:4", Spec{Type: "native", Options: map[string]any{"processes": int64(4)}}},
		{"dry", Spec{Type: "dry", Options: map[string]any{}}},
		{map[string]any{"type": "slurm", "partition": "gpu"}, Spec{Type: "slurm", Options: map[string]any{"partition": "gpu"}}},
	}
	for _, tc := range cases {
		got, err := ParseSpec(tc.in)
		if err != nil || !reflect.DeepEqual(got, tc.want) {
			t.Errorf("ParseSpec(%v) = %+v, %v; want %+v", tc.in, got, err, tc.want)
		}
	}
	for in, want := range map[any]string{
		"native:0":  "expected native:N with N a positive number",
		"native:x":  "expected native:N",
		3:           "expected a string such as",
		"native:-1": "positive",
	} {
		if _, err := ParseSpec(in); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("ParseSpec(%v) = %v, want %q", in, err, want)
		}
	}
	if _, err := ParseSpec(map[string]any{"partition": "x"}); err == nil || !strings.Contains(err.Error(), `expected a "type" key`) {
		t.Errorf("map without type: %v", err)
	}
	if s := (Spec{Type: "native", Options: map[string]any{"processes": int64(4)}}).String(); s != "native:4" {
		t.Errorf("String = %q", s)
	}
}

func TestRegistry(t *testing.T) {
	r := NewRegistry()
	if got := r.Types(); !reflect.DeepEqual(got, []string{"detached", "dry", "native", "process", "ray", "remote", "slurm"}) {
		t.Errorf("Types = %v", got)
	}
	e, err := r.New(Spec{Type: "native", Options: map[string]any{"processes": int64(3)}})
	if err != nil || e.(*native).parallel != 3 {
		t.Errorf("native:3 = %v %v", e, err)
	}
	if _, err := r.New(Spec{Type: "nativ"}); err == nil || err.Error() != `unknown engine "nativ" (did you mean "native"?); known engines: detached, dry, native, process, ray, remote, slurm` {
		t.Errorf("unknown engine: %v", err)
	}
	if _, err := r.New(Spec{Type: "dry", Options: map[string]any{"x": 1}}); err == nil || !strings.Contains(err.Error(), `engine dry: unknown option "x"`) {
		t.Errorf("dry option: %v", err)
	}
	if _, err := r.New(Spec{Type: "native", Options: map[string]any{"processes": "many"}}); err == nil || !strings.Contains(err.Error(), "expected an integer") {
		t.Errorf("bad processes: %v", err)
	}
	d, _ := r.New(Spec{Type: "dry", Options: map[string]any{}})
	if dr, ok := d.(DryRunner); !ok || !dr.Dry() {
		t.Error("dry engine should be a DryRunner")
	}
}

func TestRedacted(t *testing.T) {
	s := Spec{Type: "ray", Options: map[string]any{
		"address":     "http://admin:hunter2@ray:8265",
		"headers":     map[string]any{"Authorization": "Bearer abc"},
		"runtime_env": map[string]any{"env_vars": map[string]any{"TOKEN": "x"}, "working_dir": "/w"},
		"partition":   "gpu",
	}}
	r := s.Redacted()
	got := r.String()
	for _, leak := range []string{"hunter2", "Bearer", "abc", `TOKEN`} {
		if strings.Contains(got, leak) {
			t.Errorf("%q leaks in %s", leak, got)
		}
	}
	if !strings.Contains(got, "partition=gpu") || !strings.Contains(got, "http://admin:[redacted]@ray:8265") || !strings.Contains(got, "working_dir:/w") {
		t.Errorf("redacted too much: %s", got)
	}
	if s.Options["headers"].(map[string]any)["Authorization"] != "Bearer abc" {
		t.Error("Redacted changed the spec it was called on")
	}
}

// TestRedactedLists: secrets inside lists (a list of dicts, URLs with a
// password) are redacted too; found by FuzzParseSpec.
func TestRedactedLists(t *testing.T) {
	s := Spec{Type: "ray", Options: map[string]any{
		"runtime_env": map[string]any{"pip": []any{
			map[string]any{"index_url": "https://u:hunter2@pypi/simple", "token": "tok123"},
			"https://v:pw456@mirror/simple", int64(3),
		}},
	}}
	got := s.Redacted().String()
	for _, leak := range []string{"hunter2", "tok123", "pw456"} {
		if strings.Contains(got, leak) {
			t.Errorf("%q leaks in %s", leak, got)
		}
	}
	if !strings.Contains(got, "https://u:[redacted]@pypi/simple") || !strings.Contains(got, " 3]") {
		t.Errorf("redacted too much: %s", got)
	}
	if s.Options["runtime_env"].(map[string]any)["pip"].([]any)[0].(map[string]any)["token"] != "tok123" {
		t.Error("Redacted changed the spec it was called on")
	}
}

// TestParseSpecNeedsType: ":4" names no engine (it parsed as type "");
// found by FuzzParseSpec.
func TestParseSpecNeedsType(t *testing.T) {
	if s, err := ParseSpec(":4"); err == nil || !strings.Contains(err.Error(), `expected a type before the colon, such as "native:4"`) {
		t.Errorf("ParseSpec(\":4\") = %#v, %v; want an error asking for a type", s, err)
	}
}

// TestRemotePath: remote paths are quoted for the remote shell, but a
// leading ~ still expands there (the docs' "directory": "~/proj").
func TestRemotePath(t *testing.T) {
	for in, want := range map[string]string{
		"/abs/my proj":        `'/abs/my proj'`,
		"~/proj":              `"$HOME"/'proj'`,
		"~":                   `"$HOME"`,
		"~/":                  `"$HOME"`,
		"~alice/x y":          `~alice/'x y'`,
		"~$(rm -rf x)/p":      `'~$(rm -rf x)/p'`,
		"rel/it's":            `'rel/it'"'"'s'`,
		"~/a/.machinable/pid": `"$HOME"/'a/.machinable/pid'`,
	} {
		if got := remotePath(in); got != want {
			t.Errorf("remotePath(%q) = %s, want %s", in, got, want)
		}
	}
}
