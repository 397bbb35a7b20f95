package dsl_test

import "testing"

// TestTuneModule: the tune module builds search-space values and
// schedulers with Ray Tune's names; bad bounds and unknown keywords are
// refused with the function's name.
func TestTuneModule(t *testing.T) {
	readScript(t, `
assert.eq(str(tune.uniform(0, 1)), "tune.uniform(0, 1)")
assert.eq(type(tune.loguniform(1e-4, 1e-1)), "tune.domain")
assert.eq(str(tune.grid_search([32, 64])), "tune.grid_search([32,64])")
assert.eq(str(tune.choice(["a", "b"])), "tune.choice([\"a\",\"b\"])")
# print(experiment) writes spaces as the calls that make them
assert.true('version={"lr":tune.loguniform(0.0001, 0.1, base=2),"n":1}' in str(Experiment().component("t", {"lr": tune.loguniform(1e-4, 1e-1, base=2), "n": 1})))
assert.eq(type(tune.asha(max_t=100, grace_period=5, reduction_factor=3)), "tune.scheduler")
assert.eq(type(tune.median_stopping()), "tune.scheduler")
assert.eq(type(tune.fifo()), "tune.scheduler")
assert.fails(lambda: tune.uniform(1, 0), "uniform: .* expected lower <= upper")
assert.fails(lambda: tune.randint(3, 3), "randint: .* expected lower < upper")
assert.fails(lambda: tune.loguniform(0, 1), "loguniform: .* expected 0 < lower")
assert.fails(lambda: tune.choice([]), "choice: .* expected at least one value")
assert.fails(lambda: tune.asha(grace_period=0), "asha: grace_period must be positive")
assert.fails(lambda: tune.asha(max_T=3), "unexpected keyword argument \"max_T\"")
assert.fails(lambda: tune.uniform("a", 1), "expected a number, got string")
`)
}
