/** Service-provider contracts of the engine: the job store. Implementations live outside core. */
package dev.ferry.core.spi;
