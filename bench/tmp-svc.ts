import { benchService } from './service.js';
await benchService(4);
