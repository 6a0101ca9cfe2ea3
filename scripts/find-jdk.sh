# Sourced by ./ferry and ./mvnw (POSIX sh). Exports JAVA_HOME pointing at a JDK >= 21:
# JAVA_HOME if it qualifies, then `java` on PATH, then the system's JVM folder (newest first).
# Prints one clear line and returns 1 when no such JDK exists.
ferry_java_major() {
  # $1 = path to a java binary; prints its feature version (17, 21, 25, ...) or nothing. Reads the JDK's
  # `release` file (JAVA_VERSION="25.0.3", or "1.8.0_402" before 9) when there is one: starting a JVM to ask
  # costs ~0.1 s, on every ./ferry start, for each JDK looked at.
  ferry_release="$(dirname "$(dirname "$1")")/release"
  if [ -r "$ferry_release" ]; then
    ferry_rv=$(sed -n 's/^JAVA_VERSION="\(1\.\)\{0,1\}\([0-9][0-9]*\).*/\2/p' "$ferry_release" | head -n 1)
    if [ -n "$ferry_rv" ]; then echo "$ferry_rv"; return 0; fi
  fi
  "$1" -XshowSettings:properties -version 2>&1 \
    | sed -n 's/^ *java\.specification\.version = \([0-9][0-9]*\).*/\1/p' | head -n 1
}
ferry_jdk_ok() {
  # $1 = candidate JDK home; true when it has java + javac and is >= 21
  [ -x "$1/bin/java" ] && [ -x "$1/bin/javac" ] || return 1
  ferry_v=$(ferry_java_major "$1/bin/java")
  [ -n "$ferry_v" ] && [ "$ferry_v" -ge 21 ]
}
ferry_find_jdk() {
  if [ -n "${JAVA_HOME:-}" ] && ferry_jdk_ok "$JAVA_HOME"; then return 0; fi
  if command -v java >/dev/null 2>&1; then
    ferry_home=$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")
    if ferry_jdk_ok "$ferry_home"; then JAVA_HOME=$ferry_home; export JAVA_HOME; return 0; fi
  fi
  for ferry_home in $(ls -d /usr/lib/jvm/* /usr/local/lib/jvm/* /opt/java/* /opt/jdk* 2>/dev/null | sort -rV); do
    if ferry_jdk_ok "$ferry_home"; then JAVA_HOME=$ferry_home; export JAVA_HOME; return 0; fi
  done
  echo "ferry: no JDK 21 or newer found (looked at JAVA_HOME, java on PATH, /usr/lib/jvm). Install one, e.g. 'apt-get install openjdk-21-jdk', or set JAVA_HOME." >&2
  return 1
}
