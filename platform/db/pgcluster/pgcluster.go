// Package pgcluster manages a private PostgreSQL cluster on the local machine, made with
// the server binaries already installed (initdb, pg_ctl, postgres).
//
// It is the embedded default behind `plein dev`, the other subcommands when no
// PLEIN_DATABASE_URL is set, and the test harness. The cluster listens only on a Unix
// socket in a directory readable by its owner alone, so trust authentication is safe:
// nobody else on the machine can reach it. initdb refuses to run as root; when Plein runs
// as root the cluster is made and run as the unprivileged user "nobody" instead.
package pgcluster

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// ErrNoServer is returned when no PostgreSQL server binaries can be found.
var ErrNoServer = errors.New("no PostgreSQL server binaries found (initdb, pg_ctl, postgres): install the Debian package postgresql (apt-get install postgresql), or set PLEIN_DATABASE_URL")

// Superuser is the name of the cluster's bootstrap superuser.
const Superuser = "postgres"

// Port is the port number in the socket's name; the socket directory is private, so
// every cluster can use the same one.
const Port = 5432

// Cluster is a PostgreSQL cluster in a directory of its own.
type Cluster struct {
	// Dir holds everything: data/, the log file and (when the path allows) the socket.
	Dir string

	bin       string
	socketDir string
	cred      *syscall.Credential // nil: run as the current user
	startedBy bool
}

// Open describes the cluster under dir without touching it. It finds the server
// binaries and decides the user the server runs as.
func Open(dir string) (*Cluster, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, fmt.Errorf("pgcluster: %w", err)
	}
	bin, err := FindBinaries()
	if err != nil {
		return nil, err
	}
	c := &Cluster{Dir: abs, bin: bin}
	c.socketDir = socketDirFor(abs)
	if os.Geteuid() == 0 {
		cred, err := unprivileged()
		if err != nil {
			return nil, err
		}
		c.cred = cred
		if err := reachable(abs); err != nil {
			return nil, err
		}
	}
	return c, nil
}

// FindBinaries returns the directory holding initdb, pg_ctl and postgres: the highest
// version under /usr/lib/postgresql/*/bin, else the one of initdb on PATH.
func FindBinaries() (string, error) {
	matches, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	sort.Slice(matches, func(i, j int) bool { return versionOf(matches[i]) > versionOf(matches[j]) })
	for _, m := range matches {
		if hasServer(m) {
			return m, nil
		}
	}
	if p, err := exec.LookPath("initdb"); err == nil {
		if real, err := filepath.EvalSymlinks(p); err == nil {
			p = real
		}
		if d := filepath.Dir(p); hasServer(d) {
			return d, nil
		}
	}
	return "", ErrNoServer
}

func versionOf(binDir string) int {
	v, _ := strconv.Atoi(filepath.Base(filepath.Dir(binDir)))
	return v
}

func hasServer(dir string) bool {
	for _, name := range []string{"initdb", "pg_ctl", "postgres"} {
		if fi, err := os.Stat(filepath.Join(dir, name)); err != nil || fi.IsDir() {
			return false
		}
	}
	return true
}

// socketDirFor keeps the socket path under the 107 bytes a Unix socket allows: inside
// the cluster directory when it fits, else in a private directory under the system
// temporary directory named after the cluster directory.
func socketDirFor(dir string) string {
	d := filepath.Join(dir, "run")
	if len(d)+len("/.s.PGSQL.5432.lock") < 100 {
		return d
	}
	sum := sha256.Sum256([]byte(dir))
	return filepath.Join(os.TempDir(), "plein-pg-"+hex.EncodeToString(sum[:6]))
}

func unprivileged() (*syscall.Credential, error) {
	u, err := user.Lookup("nobody")
	if err != nil {
		return nil, fmt.Errorf("pgcluster: running as root and no user \"nobody\" to run PostgreSQL as: %w", err)
	}
	uid, _ := strconv.Atoi(u.Uid)
	gid, _ := strconv.Atoi(u.Gid)
	return &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}, nil
}

// reachable checks that the unprivileged server user can traverse every existing parent
// of dir, so that a cluster under a 0700 home directory fails with a clear message
// instead of a cryptic one from pg_ctl.
func reachable(dir string) error {
	for d := filepath.Dir(dir); ; d = filepath.Dir(d) {
		if fi, err := os.Stat(d); err == nil && fi.Mode().Perm()&0o001 == 0 {
			return fmt.Errorf("pgcluster: running as root, PostgreSQL runs as user nobody, which cannot enter %s (mode %v): choose a --data-dir elsewhere or chmod o+x it", d, fi.Mode().Perm())
		}
		if d == filepath.Dir(d) {
			return nil
		}
	}
}

func (c *Cluster) dataDir() string { return filepath.Join(c.Dir, "data") }
func (c *Cluster) logFile() string { return filepath.Join(c.Dir, "postgresql.log") }

// SocketDir is the directory of the server's Unix socket.
func (c *Cluster) SocketDir() string { return c.socketDir }

// URL returns a connection URL for user and database over the cluster's socket.
func (c *Cluster) URL(user, database string) string {
	return fmt.Sprintf("postgres://%s@/%s?host=%s&port=%d&sslmode=disable", user, database, c.socketDir, Port)
}

// Initialized reports whether the data directory holds a cluster.
func (c *Cluster) Initialized() bool {
	_, err := os.Stat(filepath.Join(c.dataDir(), "PG_VERSION"))
	return err == nil
}

// Running reports whether a server is running on the data directory, started by this
// process or by any other (a `plein dev` in another terminal, say).
func (c *Cluster) Running(ctx context.Context) bool {
	if !c.Initialized() {
		return false
	}
	err := c.run(ctx, "pg_ctl", "status", "-D", c.dataDir())
	return err == nil
}

// StartedByUs reports whether Start started the server (rather than finding it running).
func (c *Cluster) StartedByUs() bool { return c.startedBy }

// Init creates the cluster if it does not exist yet.
func (c *Cluster) Init(ctx context.Context) error {
	if c.Initialized() {
		return nil
	}
	if err := os.MkdirAll(c.Dir, 0o755); err != nil {
		return fmt.Errorf("pgcluster: %w", err)
	}
	if err := c.ownDir(c.dataDir(), 0o700); err != nil {
		return err
	}
	err := c.run(ctx, "initdb",
		"-D", c.dataDir(),
		"-U", Superuser,
		"--auth=trust",
		"--encoding=UTF8",
		"--locale=C",
		"--no-sync",
	)
	if err != nil {
		return fmt.Errorf("pgcluster: initdb: %w", err)
	}
	// Only the private socket; no TCP listener at all.
	return c.Configure(fmt.Sprintf("# plein: private cluster\nlisten_addresses = ''\nport = %d\nunix_socket_directories = '%s'\nunix_socket_permissions = 0700\nfsync = on\nmax_connections = 200\nshared_buffers = 128MB\nlog_min_messages = warning\n", Port, c.socketDir))
}

// Throwaway settings suit a cluster that lives only as long as a test run: nothing is
// flushed to disk, so a crash of the machine may lose it, which does not matter for it.
// Crash and restart tests must not use them: they rely on committed work surviving.
// More connections too: the test processes of a whole run may share one.
const Throwaway = "fsync = off\nsynchronous_commit = off\nfull_page_writes = off\nmax_connections = 400\n"

// StartThrowaway makes a cluster in a new temporary directory with the Throwaway
// settings and starts it: for tests. Remove stops it and deletes the directory.
func StartThrowaway(ctx context.Context) (*Cluster, error) {
	dir, err := os.MkdirTemp("", "plein-test-pg-")
	if err != nil {
		return nil, fmt.Errorf("pgcluster: %w", err)
	}
	// The server may run as an unprivileged user, who must be able to enter it.
	err = os.Chmod(dir, 0o755)
	var c *Cluster
	if err == nil {
		c, err = Open(dir)
	}
	if err == nil {
		err = c.Init(ctx)
	}
	if err == nil {
		err = c.Configure(Throwaway)
	}
	if err == nil {
		err = c.Start(ctx)
	}
	if err != nil {
		_ = os.RemoveAll(dir)
		return nil, err
	}
	return c, nil
}

// Configure appends settings (postgresql.conf lines) to the cluster's configuration;
// call it after Init and before Start.
func (c *Cluster) Configure(settings string) error {
	f, err := os.OpenFile(filepath.Join(c.dataDir(), "postgresql.conf"), os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		return fmt.Errorf("pgcluster: %w", err)
	}
	if _, err := f.WriteString("\n" + settings); err != nil {
		f.Close()
		return fmt.Errorf("pgcluster: %w", err)
	}
	return f.Close()
}

// Start starts the server unless it is running already, and waits until it accepts
// connections.
func (c *Cluster) Start(ctx context.Context) error {
	if err := c.Init(ctx); err != nil {
		return err
	}
	if c.Running(ctx) {
		// Running, or still starting: a process that started it may have been killed
		// before the server was ready. Share it once it accepts connections.
		return c.waitReady(ctx, 60*time.Second)
	}
	if err := c.ownDir(c.socketDir, 0o700); err != nil {
		return err
	}
	if err := c.ownFile(c.logFile()); err != nil {
		return err
	}
	err := c.run(ctx, "pg_ctl", "start", "-w", "-t", "60",
		"-D", c.dataDir(),
		"-l", c.logFile(),
		"-o", "-k "+c.socketDir,
	)
	if err != nil {
		// Another process may have started it between our check and our start (a
		// killed `plein` leaves its pg_ctl starting the server): then its postmaster
		// holds the data directory, ours gave up, and the server is the one to share.
		if c.Running(ctx) && c.waitReady(ctx, 60*time.Second) == nil {
			return nil
		}
		return fmt.Errorf("pgcluster: start (see %s): %w", c.logFile(), err)
	}
	c.startedBy = true
	return nil
}

// waitReady waits until the server accepts connections on its socket, at most wait.
func (c *Cluster) waitReady(ctx context.Context, wait time.Duration) error {
	deadline := time.Now().Add(wait)
	for {
		err := c.run(ctx, "pg_isready", "-q", "-h", c.socketDir, "-p", strconv.Itoa(Port))
		if err == nil {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("pgcluster: the server in %s does not accept connections after %s: %w", c.Dir, wait, err)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// Stop stops the server with a fast shutdown: open transactions roll back, committed
// work is safe.
func (c *Cluster) Stop(ctx context.Context) error {
	if !c.Running(ctx) {
		return nil
	}
	if err := c.run(ctx, "pg_ctl", "stop", "-w", "-m", "fast", "-t", "60", "-D", c.dataDir()); err != nil {
		return fmt.Errorf("pgcluster: stop: %w", err)
	}
	c.startedBy = false
	return nil
}

// Kill stops the server immediately, as a crash would (for tests of recovery).
func (c *Cluster) Kill(ctx context.Context) error {
	if err := c.run(ctx, "pg_ctl", "stop", "-w", "-m", "immediate", "-D", c.dataDir()); err != nil {
		return fmt.Errorf("pgcluster: kill: %w", err)
	}
	return nil
}

// Remove stops the server and deletes the whole cluster directory.
func (c *Cluster) Remove(ctx context.Context) error {
	_ = c.Stop(ctx)
	if err := os.RemoveAll(c.Dir); err != nil {
		return fmt.Errorf("pgcluster: %w", err)
	}
	if !strings.HasPrefix(c.socketDir, c.Dir) {
		_ = os.RemoveAll(c.socketDir)
	}
	return nil
}

func (c *Cluster) ownDir(dir string, mode os.FileMode) error {
	if err := os.MkdirAll(dir, mode); err != nil {
		return fmt.Errorf("pgcluster: %w", err)
	}
	if err := os.Chmod(dir, mode); err != nil {
		return fmt.Errorf("pgcluster: %w", err)
	}
	if c.cred != nil {
		if err := os.Chown(dir, int(c.cred.Uid), int(c.cred.Gid)); err != nil {
			return fmt.Errorf("pgcluster: %w", err)
		}
	}
	return nil
}

func (c *Cluster) ownFile(path string) error {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o600)
	if err != nil {
		return fmt.Errorf("pgcluster: %w", err)
	}
	f.Close()
	if c.cred != nil {
		if err := os.Chown(path, int(c.cred.Uid), int(c.cred.Gid)); err != nil {
			return fmt.Errorf("pgcluster: %w", err)
		}
	}
	return nil
}

// run runs a server binary as the cluster's user, in the cluster directory, and returns
// its output in the error when it fails.
func (c *Cluster) run(ctx context.Context, name string, args ...string) error {
	ctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, filepath.Join(c.bin, name), args...)
	cmd.Dir = "/"
	// The server must not die with the terminal's Ctrl-C before we stop it in order, and
	// it must outlive a `plein` that only shares it.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if c.cred != nil {
		cmd.SysProcAttr.Credential = c.cred
		cmd.Env = append(os.Environ(), "HOME="+c.Dir)
	}
	var out bytes.Buffer
	cmd.Stdout = &out
	cmd.Stderr = &out
	if err := cmd.Run(); err != nil {
		msg := strings.TrimSpace(out.String())
		if len(msg) > 2000 {
			msg = msg[len(msg)-2000:]
		}
		return fmt.Errorf("%s %s: %w: %s", name, args[0], err, msg)
	}
	return nil
}
