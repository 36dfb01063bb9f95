// requestAnimationFrame runs just before the next frame is drawn.
requestAnimationFrame(() => console.log("frame callback: before the next frame"));

setTimeout(() => {
  console.log("timer at 40 ms: the page has drawn two frames already");
  requestAnimationFrame(() => console.log("frame callback after the timer"));
}, 40);

console.log("script ends");
