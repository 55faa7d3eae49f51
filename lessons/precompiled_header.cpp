// Compiles nothing of its own: the library target typenet_lesson_header exists to
// build the lessons' precompiled header (lessons/CMakeLists.txt), which every
// lesson then reuses.
