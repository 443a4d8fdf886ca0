#!/usr/bin/perl
# Buggy: a single-process IO::Select echo server with non-blocking sockets,
# so that one slow client cannot block the others. It writes back what it
# read with one syswrite and never looks at the result: when the client
# reads slowly and the send buffer is full, syswrite writes part or nothing
# (EAGAIN), and the rest is silently lost.
# Usage: perl drops_on_eagain.pl HOST PORT
use strict;
use warnings;
use IO::Socket::INET;
use IO::Select;

my ($host, $port) = @ARGV;
my $listener = IO::Socket::INET->new(
    LocalAddr => $host, LocalPort => $port, Proto => 'tcp',
    Listen => 16, ReuseAddr => 1,
) or die "listen: $@\n";
$SIG{PIPE} = 'IGNORE';
my $sel = IO::Select->new($listener);

while (1) {
    for my $fh ($sel->can_read) {
        if ($fh == $listener) {
            my $conn = $listener->accept or next;
            $conn->blocking(0);
            $sel->add($conn);
            next;
        }
        my $n = sysread($fh, my $buf, 16384);
        next if !defined $n && $!{EAGAIN};
        if (!$n) {
            $sel->remove($fh);
            close $fh;
            next;
        }
        syswrite($fh, $buf);
    }
}
