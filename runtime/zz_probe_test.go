package runtime
import ("testing";"context")
func TestZZProbe(t *testing.T){
 reg := NewRegistry(); reg.Register("a", GoComponent{})
 p := NewExperiment().Component(ComponentSpec{Name:"a", Version: Patch(map[string]any{"x": int64(1)}), Resources: map[string]any{"cpu": int64(1)}}).Repeat(2,"")
 s, err := (&Resolver{Registry: reg}).Resolve(context.Background(), p, 7957417341)
 if err != nil { t.Fatal(err) }
 s[0].Config["x"] = int64(99); s[0].Resources["cpu"] = int64(8)
 t.Logf("s[1].Config=%v s[1].Resources=%v plan resources=%v", s[1].Config, s[1].Resources, p.Components[0].Resources)
 e := NewExperiment().Component(ComponentSpec{Name:"a", Version: Patch(map[string]any{"lr": 2.0})})
 d, _ := e.JSON(); b, _ := ParseExperiment(d)
 t.Logf("lr after round trip: %#v", b.Components[0].Version.Values["lr"])
}
