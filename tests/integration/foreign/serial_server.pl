#!/usr/bin/perl
# Buggy: an iterative echo server. It serves clients one after another
# (accept, echo until EOF, close, accept the next): correct for one client,
# but while it serves one, every other client waits in the listen queue.
# Usage: perl serial_server.pl HOST PORT
use strict;
use warnings;
use IO::Socket::INET;

my ($host, $port) = @ARGV;
my $listener = IO::Socket::INET->new(
    LocalAddr => $host, LocalPort => $port, Proto => 'tcp',
    Listen => 5, ReuseAddr => 1,
) or die "listen: $@\n";
$SIG{PIPE} = 'IGNORE';

while (my $conn = $listener->accept) {
    my $buf;
    while (my $n = sysread($conn, $buf, 4096)) {
        my $off = 0;
        while ($off < $n) {
            my $w = syswrite($conn, $buf, $n - $off, $off) or last;
            $off += $w;
        }
    }
    close $conn;
}
