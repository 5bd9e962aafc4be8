/**
 * jcstress tests of the keyed mutex (the {@code local} provider and {@code KeyedMutexLock}, fair
 * and non-fair). Each class's description names the hazard it guards against; FORBIDDEN outcomes
 * are violations of SPEC section 2. {@code dev.keyedmutex.stress.negative} holds deliberately
 * broken variants that the suite must catch.
 */
package dev.keyedmutex.stress;
