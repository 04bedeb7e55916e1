#!/usr/bin/env node
import { main } from './cli.js';

// serve and demo keep running after main() returns; only a startup failure sets an exit code here. A
// rejection is left to Node, which prints it and exits with status 1.
void main(process.argv.slice(2)).then((code) => {
  if (code !== 0) process.exit(code);
});
