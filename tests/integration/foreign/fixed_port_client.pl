#!/usr/bin/perl
# Buggy: a Perl echo client that binds a fixed source port, 50007 (so that
# "the firewall can allow it"), before it connects. It reads the whole echo
# correctly; but two at once, or one run again within TIME_WAIT, fail with
# EADDRINUSE, and the port may be one the kernel hands to others.
# Usage: perl fixed_port_client.pl HOST PORT
use strict;
use warnings;
use IO::Socket::INET;

my ($host, $port) = @ARGV;
my $msg = "Hello, world";
my $sock = IO::Socket::INET->new(
    PeerAddr => $host, PeerPort => $port, Proto => 'tcp',
    LocalPort => 50007, ReuseAddr => 1,
) or die "connect to $host:$port: $@\n";
print $sock $msg;
$sock->flush;
my $got = '';
while (length $got < length $msg) {
    my $n = sysread($sock, my $buf, 1024);
    last unless $n;
    $got .= $buf;
}
close $sock;
print "Received '$got'\n";
exit($got eq $msg ? 0 : 1);
