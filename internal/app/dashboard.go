package app

import (
	"net/http"

	"github.com/hibiken/asynq"
	"github.com/hibiken/asynqmon"

	"github.com/otklik/otklik/web"
)

// QueueDashboard is asynqmon, the asynq web UI, rooted at
// web.QueueDashboardPath. The web app serves it to admins only.
func QueueDashboard(conn asynq.RedisConnOpt) http.Handler {
	return asynqmon.New(asynqmon.Options{RootPath: web.QueueDashboardPath, RedisConnOpt: conn})
}
