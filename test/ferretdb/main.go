// Command ferretdb runs FerretDB v1 (a MongoDB wire-protocol server) for Eider's tests.
//
// It embeds the github.com/FerretDB/FerretDB/ferretdb package because the upstream
// cmd/ferretdb cannot be installed here (see shared/stack.md, "MongoDB here").
//
//	ferretdb -listen 127.0.0.1:27017 -dir /tmp/data
//	ferretdb -listen 127.0.0.1:27017 -handler postgresql -postgresql-url postgres://postgres@127.0.0.1:5432/ferretdb
//
// Once the port is bound it prints the server's URL alone on one stdout line
// (mongodb://127.0.0.1:PORT/), so "-listen 127.0.0.1:0" lets the OS pick a port
// without a race. Logs go to stderr. It stops on SIGTERM or SIGINT.
package main

import (
	"context"
	"flag"
	"fmt"
	"log"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"

	"github.com/FerretDB/FerretDB/ferretdb"
)

func main() {
	listen := flag.String("listen", "127.0.0.1:27017", "TCP address to listen on")
	dir := flag.String("dir", "", "data folder for the sqlite handler (required with it)")
	handler := flag.String("handler", "sqlite", `backend: "sqlite" or "postgresql"`)
	pgURL := flag.String("postgresql-url", "", "PostgreSQL URL for the postgresql handler")
	logLevel := flag.String("log-level", "error", "debug, info, warn or error (warn logs every failed command)")
	flag.Parse()

	var level slog.Level
	if err := level.UnmarshalText([]byte(*logLevel)); err != nil {
		log.Fatal(err)
	}
	logger := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: level}))

	conf := ferretdb.Config{Listener: ferretdb.ListenerConfig{TCP: *listen}, Handler: *handler, Logger: logger}
	switch *handler {
	case "sqlite":
		if *dir == "" {
			log.Fatal("-dir is required with -handler sqlite")
		}
		abs, err := filepath.Abs(*dir)
		if err != nil {
			log.Fatal(err)
		}
		conf.SQLiteURL = "file:" + abs + "/" // the trailing slash marks a folder
	case "postgresql":
		conf.PostgreSQLURL = *pgURL
	default:
		log.Fatalf("unknown -handler %q", *handler)
	}

	f, err := ferretdb.New(&conf) // binds the listener
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(f.MongoDBURI())

	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	defer stop()
	if err := f.Run(ctx); err != nil && ctx.Err() == nil {
		log.Fatal(err)
	}
}
