package dev.ferry.sim;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;

/** The server side of the simulator's https: a TLS context from a PKCS#12 key store. Stateless and threadsafe. */
public final class SimTls {
  private SimTls() {}

  /**
   * A context serving the key store's (first) key and certificate chain.
   *
   * @throws IOException when the file cannot be read, or is not a PKCS#12 store that opens with {@code password}
   */
  public static SSLContext fromPkcs12(Path keyStore, char[] password) throws IOException {
    KeyStore store;
    try (InputStream in = Files.newInputStream(keyStore)) {
      store = KeyStore.getInstance("PKCS12");
      store.load(in, password); // an unreadable format or a wrong password: IOException
    } catch (NoSuchFileException e) {
      throw new IOException(keyStore + ": no such file", e);
    } catch (IOException | GeneralSecurityException e) {
      throw new IOException(keyStore + ": not a PKCS#12 key store this password opens", e);
    }
    try {
      KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
      keys.init(store, password);
      SSLContext tls = SSLContext.getInstance("TLS");
      tls.init(keys.getKeyManagers(), null, null);
      return tls;
    } catch (GeneralSecurityException e) {
      throw new IOException(keyStore + ": no usable key in the key store (" + e.getClass().getSimpleName() + ")", e);
    }
  }
}
