package app

import (
	"net/http"

	"github.com/hibiken/asynq"
	"github.com/hibiken/asynqmon"
)

// QueueDashboardPath is where the asynq dashboard is served (admins only).
const QueueDashboardPath = "/admin/queues"

// QueueDashboard is asynqmon, the asynq web UI, rooted at
// QueueDashboardPath. The web app serves it to admins only.
func QueueDashboard(conn asynq.RedisConnOpt) http.Handler {
	return asynqmon.New(asynqmon.Options{RootPath: QueueDashboardPath, RedisConnOpt: conn})
}
