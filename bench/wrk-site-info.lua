-- bench/wrk-site-info.lua -- wrk script: core_webservice_get_site_info, the
-- smallest read, as the client sends it (POST, token and function in the
-- query string, moodlewssettingraw=1), against the emulator.
--   MOODLE_TOKEN=T wrk -t2 -c4 -d5s -s bench/wrk-site-info.lua URL
local token = os.getenv("MOODLE_TOKEN") or "T"
wrk.method = "POST"
wrk.path = "/webservice/rest/server.php?wstoken=" .. token ..
	"&wsfunction=core_webservice_get_site_info&moodlewsrestformat=json&moodlewssettingraw=1"
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
wrk.body = ""

-- any answer that is not Moodle's site info counts as an error
function response(status, headers, body)
	if status ~= 200 or not body:find('"sitename"', 1, true) then
		wrk.thread:stop()
		error("unexpected reply " .. status .. ": " .. body:sub(1, 200))
	end
end
