// The same 200 ms of work in 10 pieces: the timer gets in between.
setTimeout(() => console.log("timer: runs between two pieces"), 10);

let piece = 0;
function doPiece() {
  work(20);
  piece += 1;
  console.log("piece", piece);
  if (piece < 10) {
    // Give the event loop a turn. (A 0 ms timeout does the same in Node;
    // a browser may run a 0 ms timeout before an older due one.)
    setTimeout(doPiece, 1);
  }
}
doPiece();
