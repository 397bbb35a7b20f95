// Package tune holds what hyperparameter tuning needs apart from running
// components: search spaces (the domains a config value is drawn from,
// named as Ray Tune names them), the expansion of a space into trial
// configs, and the schedulers that decide from a trial's metric rows
// whether it goes on (FIFO, ASHA, the median stopping rule) and the
// stop conditions. It knows nothing of Starlark, engines or storage: the
// runtime feeds it numbers and acts on its decisions.
package tune
