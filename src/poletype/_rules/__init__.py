"""Rule files: locate, read, extend, load through the compiler, run their inline examples."""
