// Package engines runs the components of a resolved execution. An Engine
// gets a Job (the execution, its experiment directory and the component
// registry) and runs every scheduled component, in this process or
// elsewhere; engines are created by name from a Registry ("native",
// "native:4", {"type": "slurm", ...}).
package engines
