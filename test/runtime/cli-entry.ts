// Runs the portcullis CLI from source, as bin/portcullis.js runs it from lib/.
import { main } from '../../src/cli/main.js';

process.exitCode = await main(process.argv.slice(2));
