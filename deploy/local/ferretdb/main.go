// Command ferretdb runs the embeddable FerretDB (MongoDB wire protocol over SQLite,
// or over PostgreSQL with -postgresql-url) for local development and CI. A wrapper is
// needed because `go install` of FerretDB's own command panics (FerretDB issue 2982).
// infra.sh builds it against FerretDB patched with pushdown-index.patch.
package main

import (
	"context"
	"flag"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"

	"github.com/FerretDB/FerretDB/ferretdb"
)

func main() {
	listen := flag.String("listen", "127.0.0.1:27017", "TCP address to listen on")
	data := flag.String("data", ".local/ferretdb", "directory for the SQLite files")
	pgURL := flag.String("postgresql-url", "", "use the PostgreSQL backend at this URL instead of SQLite")
	level := flag.String("log-level", "warn", "log level: debug, info, warn, error")
	flag.Parse()

	var lvl slog.Level
	if err := lvl.UnmarshalText([]byte(*level)); err != nil {
		fail("bad -log-level", err)
	}
	logger := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: lvl}))

	dir, err := filepath.Abs(*data)
	if err != nil {
		fail("bad -data", err)
	}
	if err = os.MkdirAll(dir, 0o750); err != nil {
		fail("cannot create data directory", err)
	}

	cfg := &ferretdb.Config{
		Listener:  ferretdb.ListenerConfig{TCP: *listen},
		Logger:    logger,
		Handler:   "sqlite",
		SQLiteURL: "file:" + dir + "/", // the trailing slash marks a directory for FerretDB
	}
	if *pgURL != "" {
		cfg.Handler, cfg.PostgreSQLURL = "postgresql", *pgURL
	}
	f, err := ferretdb.New(cfg)
	if err != nil {
		fail("cannot start FerretDB", err)
	}

	// Run returns once ctx is cancelled and all connections and the backend are closed.
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	defer stop()
	logger.Warn("FerretDB listening", "listen", *listen, "data", dir)
	if err = f.Run(ctx); err != nil {
		fail("FerretDB stopped with an error", err)
	}
	logger.Warn("FerretDB stopped")
}

func fail(msg string, err error) {
	slog.Error(msg, "error", err)
	os.Exit(1)
}
