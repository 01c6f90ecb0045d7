#!/bin/sh
# install.sh: install jmail from this unpacked tarball (for systems without the Debian package).
#
#   sudo ./install.sh                 # /usr/share/jmail, /usr/sbin/sendmail, /etc/jmail, systemd unit
#   PREFIX=/usr/local sudo ./install.sh
#   DESTDIR=/tmp/stage ./install.sh   # stage only: no user, no chown (the .deb is built this way)
#
# An existing /etc/jmail/main.conf or sasl_passwd is never overwritten.
set -eu

here=$(cd "$(dirname "$0")" && pwd -P)
DESTDIR=${DESTDIR:-}
PREFIX=${PREFIX:-/usr}
SYSCONFDIR=${SYSCONFDIR:-/etc}
UNITDIR=${UNITDIR:-$SYSCONFDIR/systemd/system}
SYSUSERSDIR=${SYSUSERSDIR:-$PREFIX/lib/sysusers.d}
SPOOL=${SPOOL:-/var/spool/jmail}
home=$PREFIX/share/jmail

install -d -m 0755 "$DESTDIR$home/bin" "$DESTDIR$home/lib" "$DESTDIR$PREFIX/sbin" "$DESTDIR$PREFIX/bin" \
    "$DESTDIR$PREFIX/lib" "$DESTDIR$SYSCONFDIR/jmail" "$DESTDIR$UNITDIR" "$DESTDIR$SYSUSERSDIR"
for f in "$here"/bin/*; do
    install -m 0755 "$f" "$DESTDIR$home/bin/"
done
for f in "$here"/lib/*.jar "$here"/lib/shim.jsa; do
    [ -f "$f" ] && install -m 0644 "$f" "$DESTDIR$home/lib/"
done

# The commands other programs expect, each a two-line script calling the launcher in $home/bin.
wrapper() { # wrapper TARGET COMMAND [FIXED-ARG]
    printf '#!/bin/sh\nexec %s/bin/%s %s"$@"\n' "$home" "$2" "${3:+$3 }" > "$DESTDIR$1"
    chmod 0755 "$DESTDIR$1"
}
wrapper "$PREFIX/sbin/jmaild" jmaild
wrapper "$PREFIX/sbin/sendmail" sendmail
wrapper "$PREFIX/sbin/jmailctl" jmailctl
wrapper "$PREFIX/bin/jmailq" jmailq
wrapper "$PREFIX/bin/mailq" sendmail -bp
wrapper "$PREFIX/bin/newaliases" sendmail -bi
ln -sf ../sbin/sendmail "$DESTDIR$PREFIX/lib/sendmail"

for page in "$here"/man/*.[0-9]; do
    mandir=$DESTDIR$PREFIX/share/man/man${page##*.}
    install -d -m 0755 "$mandir"
    gzip -9n -c "$page" > "$mandir/${page##*/}.gz"
    chmod 0644 "$mandir/${page##*/}.gz"
done

sed "s#/usr/sbin/jmaild#$PREFIX/sbin/jmaild#; s#/etc/jmail/#$SYSCONFDIR/jmail/#g" "$here/systemd/jmail.service" \
    > "$DESTDIR$UNITDIR/jmail.service"
chmod 0644 "$DESTDIR$UNITDIR/jmail.service"
install -m 0644 "$here/sysusers/jmail.conf" "$DESTDIR$SYSUSERSDIR/jmail.conf"

[ -e "$DESTDIR$SYSCONFDIR/jmail/main.conf" ] || install -m 0644 "$here/conf/main.conf" "$DESTDIR$SYSCONFDIR/jmail/main.conf"
[ -e "$DESTDIR$SYSCONFDIR/jmail/sasl_passwd" ] || install -m 0600 "$here/conf/sasl_passwd.example" "$DESTDIR$SYSCONFDIR/jmail/sasl_passwd"
install -d -m 0755 "$DESTDIR$PREFIX/share/doc/jmail/examples"
install -m 0644 "$here/conf/aliases.example" "$DESTDIR$PREFIX/share/doc/jmail/examples/aliases.example"

if [ -n "$DESTDIR" ]; then
    exit 0
fi
# A real install: the jmail user, the queue directory, the private password map.
if ! getent passwd jmail >/dev/null; then
    if command -v systemd-sysusers >/dev/null 2>&1; then
        systemd-sysusers "$SYSUSERSDIR/jmail.conf"
    else
        groupadd --system jmail 2>/dev/null || true
        useradd --system --gid jmail --home-dir "$SPOOL" --no-create-home --shell /sbin/nologin jmail
    fi
fi
install -d -m 0755 -o jmail -g jmail "$SPOOL"
chown jmail:jmail "$SYSCONFDIR/jmail/sasl_passwd"
if command -v systemctl >/dev/null 2>&1 && [ -d /run/systemd/system ]; then
    systemctl daemon-reload
    echo "jmail installed. Set relayhost in $SYSCONFDIR/jmail/main.conf, then: systemctl enable --now jmail"
else
    echo "jmail installed. Set relayhost in $SYSCONFDIR/jmail/main.conf, then run $PREFIX/sbin/jmaild as user jmail"
fi
