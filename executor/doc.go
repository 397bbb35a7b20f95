// Package executor ties the pieces together: it resolves a plan against its
// project and seed, opens the storage, writes execution.json and
// schedule.json, hands the job to an engine and reports each component as
// it ends. It implements runtime.Executor, which the dsl's execute() and
// Go embedders call.
package executor
