#!/usr/bin/perl
# Buggy: a Perl UDP echo server that loops "while there is something to
# read", as one does on a stream: an empty datagram reads as nothing, the
# loop ends, and the server is gone.
# Usage: perl udp_empty_stops.pl HOST PORT
use strict;
use warnings;
use IO::Socket::INET;

my ($host, $port) = @ARGV;
my $sock = IO::Socket::INET->new(LocalAddr => $host, LocalPort => $port, Proto => 'udp')
    or die "bind: $@\n";

my $buf;
while (defined $sock->recv($buf, 65535) && length $buf) {
    $sock->send($buf);
}
close $sock;
