import { run } from '../../../lib/github';
import { main } from './main';

void run(main);
