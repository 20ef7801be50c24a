/**
 * The per-container shim (containerd's idea): a small detached Perl process that starts the
 * container, writes its stdout/stderr to the log in the CRI format
 * (`<RFC3339Nano> stdout|stderr F|P <line>`), and records the exit status in a file. The
 * runtime can restart while containers keep running, and an idle container costs a few MB
 * instead of a second Node.js process. Usage: perl shim.pl <log> <state-dir> <cmd> [args...]
 * (or no arguments and the job on stdin, see shim-launcher.ts);
 * writes <state-dir>/pid when the child exists and <state-dir>/exit (JSON) when it ended.
 * The Perl shim also gives the container a stdin pipe or a terminal when <state-dir>/stdio asks
 * (`stdin`, `tty`, `once` = stdinOnce) and serves attach clients on an abstract unix socket.
 */
import { PTY_PERL } from './pty-perl.js';

/** The Perl shim (written to <root-dir>/shim.pl). */
export const SHIM_SOURCE = String.raw`#!/usr/bin/perl
use strict;
use warnings;
use POSIX ();
use IO::Handle;
use IO::Select;
use Fcntl ();
use Socket ();
$SIG{PIPE} = 'IGNORE';
${PTY_PERL}
# Time::HiRes is in Debian's perl, not perl-base: without it timestamps have whole seconds.
my $hires = eval { require Time::HiRes; 1 };
sub now_f { return $hires ? Time::HiRes::time() : time(); }

my ($log_path, $state);
if (@ARGV) {
  $log_path = shift @ARGV;
  $state = shift @ARGV;
} else {
  # Standby mode: started ahead of time, the job arrives on stdin as NUL-separated fields
  # (log, state dir, env count, KEY=VALUE..., argv...); EOF without a job means "not needed".
  local $/;
  my $job = <STDIN>;
  exit 0 unless defined $job && length $job;
  my @f = split /\0/, $job, -1;
  $log_path = shift @f;
  $state = shift @f;
  my $n = shift @f;
  %ENV = ();
  for (1 .. $n) { my $kv = shift @f; my $i = index($kv, '='); $ENV{substr($kv, 0, $i)} = substr($kv, $i + 1); }
  @ARGV = @f;
  open(STDIN, '<', '/dev/null');
}
POSIX::setsid();

sub write_atomic {
  my ($path, $text) = @_;
  open(my $fh, '>', "$path.tmp") or die "open $path.tmp: $!";
  print $fh $text;
  close $fh;
  rename("$path.tmp", $path) or die "rename $path: $!";
}

sub now_ns { return sprintf('%.0f', now_f() * 1e9); }

# "nsenter --net=P -- unshare --mount --uts -- cmd..." done here with setns/unshare/mount system
# calls instead of two more programs (each exec costs milliseconds at container start); the
# command line is returned unchanged when a call fails, and the tools then do the same work.
# System call numbers (setns, unshare, mount, prctl), looked up before a job arrives.
my %nr = (x86_64 => [308, 272, 165, 157], aarch64 => [268, 97, 40, 167]);
my ($SYS_setns, $SYS_unshare, $SYS_mount, $SYS_prctl);
{
  require Config;
  no warnings 'once';
  my ($arch) = ($Config::Config{archname} =~ /^(x86_64|aarch64)/);
  ($SYS_setns, $SYS_unshare, $SYS_mount, $SYS_prctl) = @{$nr{$arch}} if $arch;
}
my $in_namespaces = 0;

sub enter_namespaces {
  my @argv = @_;
  my ($netns, $pidns);
  if (@argv > 4 && $argv[0] eq 'nsenter' && $argv[1] =~ /^--net=(.+)$/ && $argv[2] =~ /^--pid=(.+)$/ && $argv[3] eq '--') { ($netns, $pidns) = ($argv[1], $argv[2]); s/^--\w+=// for $netns, $pidns; splice(@argv, 0, 4); }
  elsif (@argv > 3 && $argv[0] eq 'nsenter' && $argv[1] =~ /^--net=(.+)$/ && $argv[2] eq '--') { $netns = $1; splice(@argv, 0, 3); }
  return @_ unless @argv > 4 && $argv[0] eq 'unshare' && $argv[1] eq '--mount' && $argv[2] eq '--uts' && $argv[3] eq '--';
  return @_ unless defined $SYS_setns;
  if (defined $netns) {
    open(my $ns, '<', $netns) or return @_;
    syscall($SYS_setns, fileno($ns), 0x40000000) == 0 or return @_;      # CLONE_NEWNET
  }
  if (defined $pidns) {
    # Only for a pod-wide PID namespace, which has no other way in (nsenter --pid is not used).
    open(my $ns, '<', $pidns) or die "open $pidns: $!";
    syscall($SYS_setns, fileno($ns), 0x20000000) == 0 or die "setns $pidns: $!";  # CLONE_NEWPID
  }
  syscall($SYS_unshare, 0x00020000 | 0x04000000) == 0 or return @_;     # CLONE_NEWNS | CLONE_NEWUTS
  my ($none, $root) = ('none', '/');                                       # syscall wants writable strings
  syscall($SYS_mount, $none, $root, 0, 0x4000 | 0x40000, 0) == 0 or return @_; # MS_REC | MS_PRIVATE, as unshare(1)
  relay_pid_namespace() if defined $pidns;
  $in_namespaces = 1;
  return @argv[4 .. $#argv];
}

# "/bin/sh <state>/start.sh cmd..." done here: <state>/plan (start-script.ts startPlan) holds the
# same steps, carried out with system calls instead of sh, mount, mkdir and unshare (each exec
# costs milliseconds at container start). A failed step ends the container as the script would.
sub run_plan {
  my @argv = @_;
  return @argv unless $in_namespaces && @argv > 2 && $argv[0] eq '/bin/sh' && $argv[1] eq "$state/start.sh";
  open(my $fh, '<', "$state/plan") or return @argv;
  my @steps = map { chomp; [map { my $f = $_; $f =~ s/%([0-9a-f]{2})/chr(hex($1))/ge; $f } split /\t/, $_, -1] } <$fh>;
  close $fh;
  my $fail = sub { print STDERR "$_[0]\n"; POSIX::_exit($_[1] // 1); };
  my $mkdir_p = sub {
    my $path = '';
    for my $part (grep { length } split m{/}, $_[0]) { $path .= "/$part"; next if -d $path; mkdir($path, 0755) or -d $path or $fail->("mkdir $path: $!"); }
  };
  for my $s (@steps) {
    my ($op, @a) = @$s;
    if ($op eq 'newpid') {
      # A PID namespace of the container's own: the next process (this one after the fork) is its PID 1.
      syscall($SYS_unshare, 0x20000000) == 0 or $fail->("unshare pid namespace: $!");
      relay_pid_namespace(1);
    } elsif ($op eq 'cgroup' || $op eq 'hostname' || $op eq 'touch' || $op eq 'started') {
      my ($file, $text) = $op eq 'cgroup' ? ($a[0], "$$\n") : $op eq 'hostname' ? ('/proc/sys/kernel/hostname', "$a[0]\n") : ($a[0], '');
      open(my $out, '>', $file) or $fail->("$op $file: $!");
      print $out $text;
      close($out) or $fail->("$op $file: $!");
    } elsif ($op eq 'mkdir') {
      $mkdir_p->($a[0]);
    } elsif ($op eq 'mount') {
      my ($src, $target, $type, $flags, $data) = @a;
      $type = $type eq '-' ? 0 : "$type";
      $data = $data eq '-' ? 0 : "$data";
      syscall($SYS_mount, "$src", "$target", $type, $flags + 0, $data) == 0 or $fail->("mount $src on $target: $!", 32);
    } elsif ($op eq 'remount-ro') {
      my ($none, $target) = ('none', "$a[0]");
      syscall($SYS_mount, $none, $target, 0, 1 | 32 | 4096, 0) == 0 or $fail->("remount $target read-only: $!", 32);  # MS_RDONLY | MS_REMOUNT | MS_BIND
    } elsif ($op eq 'copy') {
      system('cp', '-a', "$a[0]/.", "$a[1]/") == 0 or $fail->("cp $a[0]: exit " . ($? >> 8));
    } elsif ($op eq 'root') {
      chroot($a[0]) or $fail->("chroot $a[0]: $!");
      chdir($a[1]) or $fail->("chdir $a[1]: $!");
    } else {
      $fail->("unknown start step $op");
    }
  }
  return @argv[2 .. $#argv];
}

# The PID namespace applies to children only: fork; this process stays behind as the shim's
# child, forwards signals to the container and ends as it ends (the same code or signal, so an
# OOM kill still reads as SIGKILL). With $own the container is PID 1 of its namespace, which the
# kernel spares every signal it has no handler for (SIGKILL aside): there the default action of
# the ending signals is carried out with SIGKILL and reported as the signal sent, so sleep still
# stops on SIGTERM with 143 as it does without a namespace of its own.
sub relay_pid_namespace {
  my ($own) = @_;
  my $child = fork();
  die "fork: $!" unless defined $child;
  if ($child == 0) {
    syscall($SYS_prctl, 1, 9, 0, 0, 0) if $own;   # PR_SET_PDEATHSIG SIGKILL: a killed relay takes the container along
    # On a terminal the container leads its own session: its shell restores its process group at
    # exit, which must live in the namespace (the relay's, outside, cannot be seen from a joined one).
    if (-t STDIN) { POSIX::setsid(); ioctl(STDIN, 0x540E, 1); }   # TIOCSCTTY, taken over from the relay
    return;
  }
  # The relay keeps no pipe or terminal open: the container's stdin must see EOF when the shim closes it.
  POSIX::close($_) for 3 .. 1023;
  my ($ended_by, $st);
  for my $sig (qw(TERM INT HUP QUIT USR1 USR2 WINCH)) {
    $SIG{$sig} = sub {
      my $how = $own && $sig ne 'WINCH' ? signal_disposition($child, $sig) : 'caught';
      return if $how eq 'ignored';
      if ($how eq 'default') { $ended_by //= $sig; kill('KILL', $child); return; }
      kill($sig, $child);
      return unless $own && $sig ne 'WINCH';
      # A handler that puts the default action back and raises the signal again (Node.js does, for
      # SIGTERM and SIGINT) is spared by the kernel as well: the raise is carried out here.
      my $until = now_f() + 2;
      while (now_f() < $until) {
        select(undef, undef, undef, 0.01);
        my $w = waitpid($child, POSIX::WNOHANG());
        if ($w == $child) { $st = $?; return; }
        return if $w == -1;
        if (signal_disposition($child, $sig) eq 'default') { $ended_by //= $sig; kill('KILL', $child); return; }
      }
    };
  }
  while (!defined $st) { my $w = waitpid($child, 0); if ($w == $child) { $st = $?; last; } last if $w == -1 && !$!{EINTR}; }
  $st //= 255 << 8;
  if ($ended_by && ($st & 127) == 9) { $SIG{$_} = 'DEFAULT' for keys %SIG; kill($ended_by, $$); }
  if ($st & 127) { my $sig = $st & 127; $SIG{$_} = 'DEFAULT' for keys %SIG; kill($sig, $$); }
  POSIX::_exit($st >> 8);
}

# 'caught', 'ignored' or 'default': what process $pid does with signal $name (/proc/<pid>/status).
sub signal_disposition {
  my ($pid, $name) = @_;
  my $no = eval "POSIX::SIG$name()" or return 'default';
  open(my $fh, '<', "/proc/$pid/status") or return 'default';
  my %mask;
  while (<$fh>) { $mask{$1} = $2 if /^(SigCgt|SigIgn):\s*([0-9a-f]+)/; }
  my $bit = sub { my $m = $mask{$_[0]} // ''; my $i = length($m) - 1 - int(($no - 1) / 4); $i >= 0 && (hex(substr($m, $i, 1)) >> (($no - 1) % 4)) & 1; };
  return $bit->('SigCgt') ? 'caught' : $bit->('SigIgn') ? 'ignored' : 'default';
}

# <state>/stdio (written by the runtime) asks for the container's stdin and terminal: "stdin tty once".
my %io;
if (open(my $iof, '<', "$state/stdio")) { local $/; %io = map { $_ => 1 } split ' ', (<$iof> // ''); }
my ($tty_m, $tty_path, $in_r, $in_w, $out_r, $out_w, $err_r, $err_w);
if ($io{tty}) {
  ($tty_m, $tty_path) = open_pty();
  set_winsize($tty_m, 80, 24);
} else {
  pipe($out_r, $out_w) or die "pipe: $!";
  pipe($err_r, $err_w) or die "pipe: $!";
  pipe($in_r, $in_w) or die "pipe: $!" if $io{stdin};
}
my $pid = fork();
die "fork: $!" unless defined $pid;
if ($pid == 0) {
  $SIG{PIPE} = 'DEFAULT';  # an ignored signal would stay ignored in the container
  if ($tty_m) {
    enter_pty($tty_path);
  } else {
    close $out_r; close $err_r;
    POSIX::setpgid(0, 0);
    if ($in_r) { POSIX::dup2(fileno($in_r), 0); } else { open(STDIN, '<', '/dev/null'); }
    open(STDOUT, '>&', $out_w);
    open(STDERR, '>&', $err_w);
    close $out_w; close $err_w;
  }
  @ARGV = run_plan(enter_namespaces(@ARGV));
  { no warnings 'exec'; exec { $ARGV[0] } @ARGV; }
  print STDERR "exec $ARGV[0]: $!\n";
  POSIX::_exit(127);
}
if (!$tty_m) {
  close $out_w; close $err_w;
  close $in_r if $in_r;
  POSIX::setpgid($pid, $pid);
}
open(my $log, '>>', $log_path) or die "open $log_path: $!";
$log->autoflush(1);
my @outs = $tty_m ? ($tty_m) : ($out_r, $err_r);
my %stream = $tty_m ? (fileno($tty_m) => 'stdout') : (fileno($out_r) => 'stdout', fileno($err_r) => 'stderr');
my %buf = map { fileno($_) => '' } @outs;

sub emit {
  my ($fd, $tag, $line) = @_;
  my $t = now_f();
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

# Attach: clients (the runtime) connect to the abstract socket "kubesim-attach-<container id>"
# and exchange frames <type u8><length u32 BE><payload>: to clients 1 stdout, 2 stderr; from
# clients 0 stdin data, 1 stdin closed, 2 resize (cols, rows u16 BE), 3 "this client attaches stdin".
my $sel = IO::Select->new(@outs);
my %clients;
my $stdin_closed = 0;
my $srv;
{
  (my $id = $state) =~ s{/+$}{};
  $id =~ s{.*/}{};
  # Padded with NULs to the whole sun_path, as Node.js (libuv) addresses abstract sockets.
  my $name = "\0kubesim-attach-$id";
  $name .= "\0" x (108 - length $name);
  if (socket($srv, Socket::PF_UNIX(), Socket::SOCK_STREAM(), 0) && bind($srv, Socket::pack_sockaddr_un($name)) && listen($srv, 16)) { $sel->add($srv); }
  else { undef $srv; }
}
# The pid file marks the container as started (Running): the attach socket is up before it, so an
# attach right after the start finds it.
write_atomic("$state/pid", "$pid\n");

sub write_all {
  my ($fh, $data) = @_;
  my $off = 0;
  while ($off < length $data) { my $w = syswrite($fh, $data, length($data) - $off, $off); return 0 unless defined $w; $off += $w; }
  return 1;
}
# stdinOnce: the container's stdin ends when the first client that attached it leaves (a
# terminal gets ^D, the end-of-file character); otherwise stdin stays open across sessions.
sub close_stdin {
  return if $stdin_closed || !$io{once};
  $stdin_closed = 1;
  if ($tty_m) { syswrite($tty_m, "\x04"); } elsif ($in_w) { close $in_w; undef $in_w; }
}
sub drop_client {
  my ($fd) = @_;
  my $c = delete $clients{$fd} or return;
  $sel->remove($c->{fh});
  close $c->{fh};
  close_stdin() if $c->{stdin};
}
sub client_input {
  my ($fd) = @_;
  my $c = $clients{$fd};
  my $n = sysread($c->{fh}, my $chunk, 65536);
  if (!$n) { drop_client($fd); return; }
  $c->{buf} .= $chunk;
  while (length($c->{buf}) >= 5) {
    my ($type, $len) = unpack('CN', $c->{buf});
    last if length($c->{buf}) < 5 + $len;
    my $payload = substr($c->{buf}, 5, $len);
    $c->{buf} = substr($c->{buf}, 5 + $len);
    if ($type == 0) { my $to = $tty_m // $in_w; write_all($to, $payload) if $io{stdin} && !$stdin_closed && $to; }
    elsif ($type == 1) { close_stdin() if $c->{stdin}; }
    elsif ($type == 2 && $tty_m && $len == 4) { set_winsize($tty_m, unpack('nn', $payload)); }
    elsif ($type == 3) { $c->{stdin} = 1; }
  }
}
sub broadcast {
  my ($type, $data) = @_;
  my $frame = pack('CN', $type, length $data) . $data;
  for my $fd (keys %clients) { drop_client($fd) unless write_all($clients{$fd}{fh}, $frame); }
}

my $status;
my $open = scalar @outs;
$SIG{CHLD} = sub { };  # interrupts select so an exit is noticed even if a grandchild holds the pipes
while ($open) {
  my @ready = $sel->can_read(defined $status ? 0.1 : 1);
  if (!defined $status && waitpid($pid, POSIX::WNOHANG()) == $pid) { $status = $?; }
  last if defined $status && !grep { exists $stream{fileno($_)} } @ready;
  for my $fh (@ready) {
    my $fd = fileno($fh);
    if ($srv && $fh == $srv) {
      if (accept(my $c, $srv)) { $clients{fileno($c)} = { fh => $c, buf => '', stdin => 0 }; $sel->add($c); }
      next;
    }
    if ($clients{$fd}) { client_input($fd); next; }
    my $n = sysread($fh, my $chunk, 65536);
    if (!$n) {
      # EOF, or EIO on a terminal once nothing holds its other side.
      $sel->remove($fh);
      $open--;
      emit($fd, 'F', $buf{$fd}) if length $buf{$fd};
      $buf{$fd} = '';
      next;
    }
    $buf{$fd} .= $chunk;
    drain($fd);
    broadcast($stream{$fd} eq 'stdout' ? 1 : 2, $chunk);
  }
}
for my $fd (keys %buf) { emit($fd, 'F', $buf{$fd}) if length $buf{$fd}; }
if (!defined $status) { waitpid($pid, 0); $status = $?; }
my $code = ($status & 127) ? 128 + ($status & 127) : ($status >> 8);
my $signal = $status & 127;
write_atomic("$state/exit", "{\"code\":$code,\"signal\":$signal,\"finishedAt\":" . now_ns() . "}\n");
`;
