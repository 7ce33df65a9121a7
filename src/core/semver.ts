/**
 * The three semver functions git-promote uses, imported one by one: the package's index loads
 * all of semver (about 75 KB in the bundle) into every command that checks a version.
 */
import satisfies from 'semver/functions/satisfies.js';
import valid from 'semver/functions/valid.js';
import validRange from 'semver/ranges/valid.js';

export const semver = { satisfies, valid, validRange };
