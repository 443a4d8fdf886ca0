#!/usr/bin/perl
# A correct forking echo server in Perl, TCP, IPv4 or IPv6 (IO::Socket::IP).
# Usage: perl echo_server.pl HOST PORT
# The parent accepts and forks; the child echoes with sysread/syswrite until
# the client closes, then closes. The parent closes its copy of the
# connection at once, and children are reaped by the kernel (CHLD ignored).
use strict;
use warnings;
use IO::Socket::IP;

my ($host, $port) = @ARGV;
die "usage: perl echo_server.pl HOST PORT\n" unless defined $port;
$SIG{CHLD} = 'IGNORE';
$SIG{PIPE} = 'IGNORE';

my $listener = IO::Socket::IP->new(
    LocalHost => $host, LocalPort => $port, Proto => 'tcp',
    Listen => 128, ReuseAddr => 1,
) or die "listen on $host:$port: $@\n";

while (1) {
    my $conn = $listener->accept or next;
    my $pid = fork;
    if (!defined $pid) {
        warn "fork: $!\n";
        close $conn;
        next;
    }
    if ($pid == 0) {
        close $listener;
        echo($conn);
        exit 0;
    }
    close $conn;
}

sub echo {
    my ($conn) = @_;
    my $buf;
    while (1) {
        my $n = sysread($conn, $buf, 65536);
        last unless $n;    # 0: the client closed; undef: an error (reset)
        my $off = 0;
        while ($off < $n) {
            my $w = syswrite($conn, $buf, $n - $off, $off);
            return unless defined $w;
            $off += $w;
        }
    }
    close $conn;
}
