// Test library: a valid shared library that exports no Concord entry point.
extern "C" __attribute__((visibility("default"))) int some_unrelated_function(int x) {
  return x + 1;
}
