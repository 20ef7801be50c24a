/**
 * The per-container shim (containerd's idea): a small detached Perl process that starts the
 * container, writes its stdout/stderr to the log in the CRI format
 * (`<RFC3339Nano> stdout|stderr F|P <line>`), and records the exit status in a file. The
 * runtime can restart while containers keep running, and an idle container costs a few MB
 * instead of a second Node.js process. Usage: perl shim.pl <log> <state-dir> <cmd> [args...]
 * (or no arguments and the job on stdin, see shim-launcher.ts);
 * writes <state-dir>/pid when the child exists and <state-dir>/exit (JSON) when it ended.
 */
export const SHIM_SOURCE = String.raw`#!/usr/bin/perl
use strict;
use warnings;
use POSIX ();
use IO::Handle;
use IO::Select;
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
  { no warnings 'exec'; exec { $ARGV[0] } @ARGV; }
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

/**
 * The same shim in JavaScript, for nodes without Perl (e.g. slim container images): same
 * arguments, same files, same log format; it costs a Node.js process per container.
 */
export const SHIM_JS_SOURCE = String.raw`import { spawn } from 'node:child_process';
import { openSync, writeSync, writeFileSync, renameSync } from 'node:fs';
import { constants } from 'node:os';
const [logPath, state, ...cmd] = process.argv.slice(2);
const writeAtomic = (p, t) => { writeFileSync(p + '.tmp', t); renameSync(p + '.tmp', p); };
const nowNs = () => BigInt(Date.now()) * 1000000n;
const stamp = () => new Date().toISOString().replace(/(\.\d{3})Z$/, '$1000000Z');
const log = openSync(logPath, 'a');
// detached: the container gets its own session and process group (pgid = pid), as with the Perl shim.
const child = spawn(cmd[0], cmd.slice(1), { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
child.on('error', (e) => { writeSync(log, stamp() + ' stderr F exec ' + cmd[0] + ': ' + e.message + '\n'); writeAtomic(state + '/exit', JSON.stringify({ code: 127, signal: 0, finishedAt: Number(nowNs()) }) + '\n'); process.exit(0); });
if (child.pid) writeAtomic(state + '/pid', child.pid + '\n');
const pump = (stream, name) => {
  let buf = '';
  stream.setEncoding('utf8');
  stream.on('data', (d) => {
    buf += d;
    let i;
    while ((i = buf.indexOf('\n')) >= 0) { writeSync(log, stamp() + ' ' + name + ' F ' + buf.slice(0, i) + '\n'); buf = buf.slice(i + 1); }
    while (buf.length > 16384) { writeSync(log, stamp() + ' ' + name + ' P ' + buf.slice(0, 16384) + '\n'); buf = buf.slice(16384); }
  });
  return () => { if (buf) writeSync(log, stamp() + ' ' + name + ' F ' + buf + '\n'); buf = ''; };
};
const flushOut = pump(child.stdout, 'stdout');
const flushErr = pump(child.stderr, 'stderr');
let open = 2;
let exited;
const finish = () => {
  flushOut(); flushErr();
  writeAtomic(state + '/exit', JSON.stringify({ code: exited.sig ? 128 + exited.signum : exited.code, signal: exited.signum, finishedAt: Number(nowNs()) }) + '\n');
  process.exit(0);
};
const closed = () => { if (--open === 0 && exited) finish(); };
child.stdout.once('close', closed);
child.stderr.once('close', closed);
child.on('exit', (code, sig) => {
  exited = { code, sig, signum: sig ? constants.signals[sig] : 0 };
  if (open === 0) finish();
  // A grandchild holding the pipes must not delay the exit record for long.
  else setTimeout(finish, 200);
});
`;
