"""Running a Plan: ffmpeg started (through engine.proc), model frames fed into its pipes,
progress read, a stalled run stopped, and the outputs published atomically."""
