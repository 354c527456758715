// What every scenario script here prints and how it ends: one line per step ("step <what>"), then "done" and exit 0,
// or "FAIL <why>" and exit 1 (also when the script's own deadline passes). The C# tests read these lines.
"use strict";

let deadline = null;

function step(what) {
  console.log("step " + what);
}

function done() {
  clearTimeout(deadline);
  console.log("done");
  process.exit(0);
}

function fail(why) {
  console.log("FAIL " + why);
  process.exit(1);
}

function expectEqual(actual, expected, what) {
  const a = JSON.stringify(actual);
  const e = JSON.stringify(expected);
  if (a !== e) {
    fail(`${what}: expected ${e}, got ${a}`);
  }
}

// The script gives up on its own after this many milliseconds (the C# side kills it only later).
function giveUpAfter(ms) {
  deadline = setTimeout(() => fail("timed out"), ms);
}

module.exports = { step, done, fail, expectEqual, giveUpAfter };
