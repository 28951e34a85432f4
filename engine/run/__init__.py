"""The only room that starts processes: ffmpeg argv, pipes, progress, atomic outputs."""
