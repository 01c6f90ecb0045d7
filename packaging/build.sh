#!/bin/sh
# build.sh DIST VERSION OUTDIR: from the built tree DIST (target/jmail), make
#   OUTDIR/jmail-VERSION.tar.gz   (bin, lib, conf, man, systemd, install.sh)
#   OUTDIR/jmail_VERSION_all.deb  (install.sh run into a staging root, plus DEBIAN/; dpkg-deb)
# Run by `mvn -B package -Pdeb`, and by the packaging tests with other versions.
set -eu

dist=$(cd "$1" && pwd -P)
version=$2
out=$(mkdir -p "$3" && cd "$3" && pwd -P)
src=$(cd "$(dirname "$0")/.." && pwd -P)
work=$out/packaging-work
rm -rf "$work"
mkdir -p "$work"

# The tarball tree.
tree=$work/jmail-$version
mkdir -p "$tree/bin" "$tree/lib" "$tree/conf" "$tree/man" "$tree/systemd" "$tree/sysusers"
cp "$dist"/bin/* "$tree/bin/"
cp "$dist"/lib/*.jar "$tree/lib/"
[ ! -f "$dist/lib/shim.jsa" ] || cp "$dist/lib/shim.jsa" "$tree/lib/"
cp "$src/conf/main.conf" "$src/conf/sasl_passwd.example" "$src/conf/aliases.example" "$tree/conf/"
cp "$src"/packaging/man/*.[0-9] "$tree/man/"
cp "$src/systemd/jmail.service" "$tree/systemd/"
cp "$src/packaging/sysusers/jmail.conf" "$tree/sysusers/"
cp "$src/packaging/install.sh" "$src/README.md" "$tree/"
chmod 0755 "$tree/install.sh" "$tree"/bin/*
tar -C "$work" --owner=0 --group=0 --numeric-owner -czf "$out/jmail-$version.tar.gz" "jmail-$version"

# The Debian package: the same install.sh, into a staging root.
stage=$work/deb
DESTDIR=$stage PREFIX=/usr SYSCONFDIR=/etc UNITDIR=/lib/systemd/system SYSUSERSDIR=/usr/lib/sysusers.d \
    sh "$tree/install.sh"
doc=$stage/usr/share/doc/jmail
install -m 0644 "$src/packaging/debian/copyright" "$doc/copyright"
sed "s/@VERSION@/$version/" "$src/packaging/debian/changelog" | gzip -9n > "$doc/changelog.gz"
chmod 0644 "$doc/changelog.gz"
install -d -m 0755 "$stage/DEBIAN"
install -m 0644 "$src/packaging/debian/conffiles" "$stage/DEBIAN/"
for s in postinst prerm postrm; do
    install -m 0755 "$src/packaging/debian/$s" "$stage/DEBIAN/"
done
size=$(du -k -s --exclude=DEBIAN "$stage" | cut -f1)
sed "s/@VERSION@/$version/; s/@SIZE@/$size/" "$src/packaging/debian/control" > "$stage/DEBIAN/control"
(cd "$stage" && find . -type f ! -path './DEBIAN/*' ! -path './etc/*' -printf '%P\n' | LC_ALL=C sort \
    | xargs md5sum > DEBIAN/md5sums)
chmod 0644 "$stage/DEBIAN/md5sums"
dpkg-deb --root-owner-group -Zxz --build "$stage" "$out/jmail_${version}_all.deb" >/dev/null
rm -rf "$work"
echo "$out/jmail-$version.tar.gz"
echo "$out/jmail_${version}_all.deb"
