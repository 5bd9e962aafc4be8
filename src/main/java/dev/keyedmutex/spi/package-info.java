/**
 * The service-provider interface: {@link dev.keyedmutex.spi.KeyedMutexProvider}, found through
 * {@link java.util.ServiceLoader}.
 */
package dev.keyedmutex.spi;
