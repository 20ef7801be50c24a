/**
 * The per-container shim (containerd's idea): a small detached Perl process that starts the
 * container, writes its stdout/stderr to the log in the CRI format
 * (`<RFC3339Nano> stdout|stderr F|P <line>`), and records the exit status in a file. The
 * runtime can restart while containers keep running, and an idle container costs a few MB
 * instead of a second Node.js process. Usage: perl shim.pl <log> <state-dir> <cmd> [args...];
 * writes <state-dir>/pid when the child exists and <state-dir>/exit (JSON) when it ended.
 */
export const SHIM_SOURCE = String.raw`#!/usr/bin/perl
use strict;
use warnings;
use POSIX ();
use IO::Handle;
use IO::Select;
use Time::HiRes ();

my $log_path = shift @ARGV;
my $state = shift @ARGV;
POSIX::setsid();

sub write_atomic {
  my ($path, $text) = @_;
  open(my $fh, '>', "$path.tmp") or die "open $path.tmp: $!";
  print $fh $text;
  close $fh;
  rename("$path.tmp", $path) or die "rename $path: $!";
}

sub now_ns { return sprintf('%.0f', Time::HiRes::time() * 1e9); }

pipe(my $out_r, my $out_w) or die "pipe: $!";
pipe(my $err_r, my $err_w) or die "pipe: $!";
my $pid = fork();
die "fork: $!" unless defined $pid;
if ($pid == 0) {
  close $out_r; close $err_r;
  POSIX::setpgid(0, 0);
  open(STDIN, '<', '/dev/null');
  open(STDOUT, '>&', $out_w);
  open(STDERR, '>&', $err_w);
  close $out_w; close $err_w;
  exec { $ARGV[0] } @ARGV;
  print STDERR "exec $ARGV[0]: $!\n";
  POSIX::_exit(127);
}
close $out_w; close $err_w;
POSIX::setpgid($pid, $pid);
write_atomic("$state/pid", "$pid\n");

open(my $log, '>>', $log_path) or die "open $log_path: $!";
$log->autoflush(1);
my %stream = (fileno($out_r) => 'stdout', fileno($err_r) => 'stderr');
my %buf = (fileno($out_r) => '', fileno($err_r) => '');

sub emit {
  my ($fd, $tag, $line) = @_;
  my $t = Time::HiRes::time();
  my $s = int($t);
  my $ts = POSIX::strftime('%Y-%m-%dT%H:%M:%S', gmtime($s)) . sprintf('.%09dZ', ($t - $s) * 1e9);
  print $log "$ts $stream{$fd} $tag $line\n";
}

sub drain {
  my ($fd) = @_;
  while ((my $i = index($buf{$fd}, "\n")) >= 0) {
    emit($fd, 'F', substr($buf{$fd}, 0, $i));
    $buf{$fd} = substr($buf{$fd}, $i + 1);
  }
  while (length($buf{$fd}) > 16384) {
    emit($fd, 'P', substr($buf{$fd}, 0, 16384));
    $buf{$fd} = substr($buf{$fd}, 16384);
  }
}

my $status;
$SIG{CHLD} = sub { };  # interrupts select so an exit is noticed even if a grandchild holds the pipes
my $sel = IO::Select->new($out_r, $err_r);
while ($sel->count) {
  my @ready = $sel->can_read(defined $status ? 0.1 : 1);
  if (!defined $status && waitpid($pid, POSIX::WNOHANG()) == $pid) { $status = $?; }
  last if defined $status && !@ready;
  for my $fh (@ready) {
    my $fd = fileno($fh);
    my $n = sysread($fh, my $chunk, 65536);
    if (!$n) {
      $sel->remove($fh);
      emit($fd, 'F', $buf{$fd}) if length $buf{$fd};
      $buf{$fd} = '';
      next;
    }
    $buf{$fd} .= $chunk;
    drain($fd);
  }
}
for my $fd (keys %buf) { emit($fd, 'F', $buf{$fd}) if length $buf{$fd}; }
if (!defined $status) { waitpid($pid, 0); $status = $?; }
my $code = ($status & 127) ? 128 + ($status & 127) : ($status >> 8);
my $signal = $status & 127;
write_atomic("$state/exit", "{\"code\":$code,\"signal\":$signal,\"finishedAt\":" . now_ns() . "}\n");
`;
