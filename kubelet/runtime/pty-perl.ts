/**
 * Terminals for containers and execs, in Perl (no native addon, and Perl is already what the
 * shims run on): `PTY_PERL` opens a pseudo-terminal through /dev/ptmx, sets its size and makes
 * it a child's controlling terminal; the shim (shim-script.ts) and the exec relay below share it.
 * Whoever holds the master can resize the terminal at any time (TIOCSWINSZ: the kernel sends
 * SIGWINCH to the foreground process group), which `script` — the fallback — does not allow.
 * ioctl numbers are Linux's generic ones (x86-64, arm64).
 */

/** Perl subs: open_pty() → (master, slave path); set_winsize(master, cols, rows); enter_pty(path) in a child. */
export const PTY_PERL = String.raw`
sub open_pty {
  sysopen(my $m, '/dev/ptmx', Fcntl::O_RDWR() | Fcntl::O_NOCTTY()) or die "open /dev/ptmx: $!";
  my $unlock = pack('i', 0);
  ioctl($m, 0x40045431, $unlock) or die "unlockpt: $!";   # TIOCSPTLCK
  my $n = pack('i', 0);
  ioctl($m, 0x80045430, $n) or die "ptsname: $!";         # TIOCGPTN
  return ($m, '/dev/pts/' . unpack('i', $n));
}
sub set_winsize {
  my ($fh, $cols, $rows) = @_;
  return unless $cols > 0 && $rows > 0;
  my $ws = pack('S4', $rows, $cols, 0, 0);
  ioctl($fh, 0x5414, $ws);                                 # TIOCSWINSZ
}
sub enter_pty {
  my ($path) = @_;
  POSIX::setsid();
  sysopen(my $s, $path, Fcntl::O_RDWR()) or die "open $path: $!";
  ioctl($s, 0x540E, 0);                                    # TIOCSCTTY
  POSIX::dup2(fileno($s), $_) for 0, 1, 2;
  close $s if fileno($s) > 2;
}
`;

/**
 * The exec relay: `perl pty.pl <cols> <rows> <cmd...>` runs cmd on a new terminal of that size,
 * copies its stdin to the terminal and the terminal to its stdout, applies "<cols> <rows>" lines
 * read from fd 3 as resizes, and exits with the command's exit code.
 */
export const PTY_RELAY_SOURCE = String.raw`#!/usr/bin/perl
use strict;
use warnings;
use POSIX ();
use Fcntl ();
use IO::Select;
$SIG{PIPE} = 'IGNORE';
${PTY_PERL}
my ($cols, $rows, @cmd) = @ARGV;
my ($m, $path) = open_pty();
set_winsize($m, $cols, $rows);
my $pid = fork();
die "fork: $!" unless defined $pid;
if ($pid == 0) {
  $SIG{PIPE} = 'DEFAULT';
  enter_pty($path);
  POSIX::close(3);
  { no warnings 'exec'; exec { $cmd[0] } @cmd; }
  print STDERR "exec $cmd[0]: $!\n";
  POSIX::_exit(127);
}
my $ctl;
open($ctl, '<&=', 3) or undef $ctl;
my $sel = IO::Select->new($m, \*STDIN);
$sel->add($ctl) if $ctl;
my ($status, $ctlbuf) = (undef, '');
$SIG{CHLD} = sub { };
OUTER: while (1) {
  my @ready = $sel->can_read(defined $status ? 0.1 : 1);
  if (!defined $status && waitpid($pid, POSIX::WNOHANG()) == $pid) { $status = $?; }
  last if defined $status && !@ready;
  # Resizes first: a resize and the keystrokes after it arrive on different descriptors.
  for my $fh (sort { ($ctl && $b == $ctl) <=> ($ctl && $a == $ctl) } @ready) {
    my $n = sysread($fh, my $chunk, 65536);
    if ($fh == $m) {
      last OUTER if !$n;   # EIO: every holder of the terminal is gone
      my $off = 0;
      while ($off < $n) { my $w = syswrite(STDOUT, $chunk, $n - $off, $off); last OUTER unless defined $w; $off += $w; }
    } elsif ($ctl && $fh == $ctl) {
      if (!$n) { $sel->remove($ctl); next; }
      $ctlbuf .= $chunk;
      while ($ctlbuf =~ s/^(\d+) (\d+)\n//) { set_winsize($m, $1, $2); }
    } else {
      if (!$n) { $sel->remove(\*STDIN); next; }
      syswrite($m, $chunk);
    }
  }
}
if (!defined $status) { waitpid($pid, 0); $status = $?; }
exit(($status & 127) ? 128 + ($status & 127) : ($status >> 8));
`;
