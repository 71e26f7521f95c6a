/**
 * Hidden classes kept from one settlement to the next.
 *
 * V8 reaches the hidden class of many objects — a class instance, an object literal, a frozen
 * object — from another class by a transition it holds only weakly. The engine makes most of its
 * records anew in every settlement, so between two settlements nothing of such a class may be
 * alive: the next full collection then drops the class and throws away the optimized code of every
 * function that checked for it (`--trace-deopt`: "weak objects"), and the next settlement runs
 * those functions unoptimized until V8 has optimized them again. One sample of each such record,
 * kept here for the life of the process, keeps its class alive: a sample has the record's
 * properties in the record's order, so a record made later takes the sample's transitions and
 * class.
 */
const samples: object[] = [];

/** Keeps the sample, and with it its hidden class, for the life of the process; returns it. */
export function keepShape<T extends object>(sample: T): T {
  samples.push(sample);
  return sample;
}

/** The samples kept, for the test that checks each record takes its sample's hidden class. */
export function keptSamples(): readonly object[] {
  return samples;
}
