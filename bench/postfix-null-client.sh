# Sourced by the benchmarks. Writes the configuration of a private Postfix null client, as
# ../shared/notes/postfix-baseline.md describes it, so both benchmarks measure the same Postfix.
#   postfix_null_client DIR LISTEN_PORT RELAY_PORT   -> DIR/etc/main.cf and master.cf, DIR/spool, DIR/data
postfix_null_client() {
  pnc_dir=$1
  mkdir -p "$pnc_dir/etc" "$pnc_dir/spool" "$pnc_dir/data"
  chown postfix "$pnc_dir/data"
  cat >"$pnc_dir/etc/main.cf" <<MAINCF
compatibility_level = 3.6
config_directory = $pnc_dir/etc
queue_directory = $pnc_dir/spool
data_directory = $pnc_dir/data
myhostname = perf.example.com
myorigin = example.com
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
mydestination =
local_transport = error:local delivery disabled
relayhost = [127.0.0.1]:$3
mynetworks = 127.0.0.0/8
smtpd_relay_restrictions = permit_mynetworks, reject
alias_maps =
alias_database =
smtp_tls_security_level = none
smtpd_tls_security_level = none
syslog_name = postfix-bench
maillog_file = $pnc_dir/maillog
maillog_file_prefixes = $pnc_dir
MAINCF
  {
    echo "127.0.0.1:$2 inet n - n - - smtpd"
    grep -v '^#' /usr/share/postfix/master.cf.dist | grep -v '^ ' | grep -v '^smtp *inet' \
      | grep -E '^(pickup|cleanup|qmgr|rewrite|bounce|defer|trace|verify|flush|proxymap|proxywrite|smtp|relay|showq|error|retry|discard|anvil|scache|postlog) ' \
      | awk '{ $5 = "n"; print }'
  } >"$pnc_dir/etc/master.cf"
}
