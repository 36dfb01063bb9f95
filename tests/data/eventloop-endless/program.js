// A loop that never ends stops at the step limit.
let n = 0;
while (true) {
  n += 1;
}
