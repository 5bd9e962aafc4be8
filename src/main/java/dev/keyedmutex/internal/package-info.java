/**
 * Internals shared by the built-in providers. Not exported by the module and not API: it may
 * change in any release.
 */
package dev.keyedmutex.internal;
