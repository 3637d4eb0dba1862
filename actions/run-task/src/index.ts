import { run } from '../../../lib/runner/github';
import { main } from './main';

void run(main);
