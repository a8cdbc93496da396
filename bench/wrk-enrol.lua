-- bench/wrk-enrol.lua -- wrk script: enrol_manual_enrol_users batches as the
-- importer sends them (6 fields an item), against the emulator's state of
-- bench/client-bench.sh: users FIRST_USER.. (default 3) re-enrolled as role 5
-- in course 2, BATCH a request (default 200, as apply.batch_enrol). The
-- answer is null.
--   MOODLE_TOKEN=T BATCH=200 wrk -t2 -c4 -d5s -s bench/wrk-enrol.lua URL
local token = os.getenv("MOODLE_TOKEN") or "T"
local batch = tonumber(os.getenv("BATCH") or "200")
local first = tonumber(os.getenv("FIRST_USER") or "3")
local items = {}
for k = 0, batch - 1 do
	items[#items + 1] = string.format(
		"enrolments[%d][roleid]=5&enrolments[%d][userid]=%d&enrolments[%d][courseid]=2&" ..
		"enrolments[%d][timestart]=0&enrolments[%d][timeend]=0&enrolments[%d][suspend]=0",
		k, k, first + k, k, k, k, k)
end
wrk.method = "POST"
wrk.path = "/webservice/rest/server.php?wstoken=" .. token ..
	"&wsfunction=enrol_manual_enrol_users&moodlewsrestformat=json&moodlewssettingraw=1"
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
wrk.body = table.concat(items, "&")

function response(status, headers, body)
	if status ~= 200 or body ~= "null" then
		wrk.thread:stop()
		error("unexpected reply " .. status .. ": " .. body:sub(1, 200))
	end
end
