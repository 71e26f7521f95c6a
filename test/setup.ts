import fc from 'fast-check';

/**
 * Property tests run from a fixed seed, so CI is reproducible; FC_SEED=random (or a number)
 * explores further on demand. fast-check prints the seed and the shrunk counterexample on failure.
 */
const requested = process.env.FC_SEED;
const seed = requested === 'random' ? Date.now() ^ (Math.random() * 2 ** 31) : Number.parseInt(requested ?? '20261123', 10);
fc.configureGlobal({ seed });
