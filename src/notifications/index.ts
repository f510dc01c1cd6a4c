export * as Notifications from "./Notifications.js"
