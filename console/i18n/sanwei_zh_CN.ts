<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN">
    <context>
        <name>AlarmPanel</name>
        <message>
            <source>Sound an alarm</source>
            <translation>发放警报</translation>
        </message>
        <message>
            <source>Whole city</source>
            <translation>全市</translation>
        </message>
        <message>
            <source>Chosen districts</source>
            <translation>指定区</translation>
        </message>
        <message>
            <source>Exercise (drill or test)</source>
            <translation>演习（演练或试鸣）</translation>
        </message>
        <message>
            <source>Current alarm</source>
            <translation>当前警报</translation>
        </message>
        <message>
            <source>No alarm issued. The board fills when the civil-defence officer sounds one with the buttons above (Pre-warning, Air raid, All clear).</source>
            <translation>尚未发布警报。人防办发布警报（上方的预先警报、空袭警报、解除警报按钮）后，此处显示各区接收与确认情况。</translation>
        </message>
        <message>
            <source>Mute</source>
            <translation>静音</translation>
        </message>
        <message>
            <source>Acknowledge for the district</source>
            <translation>代区确认</translation>
        </message>
        <message>
            <source>Annual public test</source>
            <translation>年度防空警报试鸣</translation>
        </message>
        <message>
            <source>Plan the test</source>
            <translation>安排试鸣</translation>
        </message>
        <message>
            <source>Pre-warning 10:00, air raid 10:08, all clear 10:16</source>
            <translation>预先警报 10:00，空袭警报 10:08，解除警报 10:16</translation>
        </message>
        <message>
            <source>No test planned.</source>
            <translation>尚未安排试鸣。</translation>
        </message>
        <message>
            <source>District</source>
            <translation>区</translation>
        </message>
        <message>
            <source>Name</source>
            <translation>名称</translation>
        </message>
        <message>
            <source>Sent</source>
            <translation>发出</translation>
        </message>
        <message>
            <source>Received</source>
            <translation>收到</translation>
        </message>
        <message>
            <source>Acknowledged</source>
            <translation>确认</translation>
        </message>
        <message>
            <source>Seconds</source>
            <translation>秒</translation>
        </message>
        <message>
            <source>Hook</source>
            <translation>接收端</translation>
        </message>
        <message>
            <source>Where</source>
            <translation>地址</translation>
        </message>
        <message>
            <source>State</source>
            <translation>状态</translation>
        </message>
        <message>
            <source>Attempts</source>
            <translation>尝试次数</translation>
        </message>
        <message>
            <source>Last attempt</source>
            <translation>最近一次尝试</translation>
        </message>
        <message>
            <source>Detail</source>
            <translation>详情</translation>
        </message>
        <message>
            <source>Tick at least one district, or choose the whole city.</source>
            <translation>请至少勾选一个区，或选择全市。</translation>
        </message>
        <message>
            <source>the whole city</source>
            <translation>全市</translation>
        </message>
        <message>
            <source>districts {codes}</source>
            <translation>以下各区：{codes}</translation>
        </message>
        <message>
            <source>Alarm cancelled.</source>
            <translation>已取消发放警报。</translation>
        </message>
        <message>
            <source>Only the civil-defence officer may sound alarms or plan the annual test; you are logged in as {role}.</source>
            <translation>只有人防干部可以发放警报或安排年度试鸣；您当前的登录角色是{role}。</translation>
        </message>
        <message>
            <source>Alarm order {id} waits for a second civil-defence officer until {time}: they confirm it with their own password in the order's dialog (or from the orders in the status bar).</source>
            <translation>警报指令 {id} 等待第二名人防干部在 {time} 前确认：由其在指令对话框中（或从状态栏的待确认指令中）以本人密码确认。</translation>
        </message>
        <message>
            <source>The alarm was not issued: {reason}</source>
            <translation>警报未能发放：{reason}</translation>
        </message>
        <message>
            <source>The board could not be read: {reason}</source>
            <translation>无法读取确认情况：{reason}</translation>
        </message>
        <message>
            <source>{signal} · alarm {id} · issued {time} by {actor}</source>
            <translation>{signal} · 警报 {id} · {time} 由 {actor} 发放</translation>
        </message>
        <message>
            <source>{acked} of {total} districts acknowledged.</source>
            <translation>{total} 个区中已有 {acked} 个确认。</translation>
        </message>
        <message>
            <source>Not acknowledged within {limit:g} s: {codes}</source>
            <translation>{limit:g} 秒内未确认：{codes}</translation>
        </message>
        <message>
            <source>CAP alert: no outbound hook (alarm hook add).</source>
            <translation>CAP 预警：未配置外发接收端（alarm hook add）。</translation>
        </message>
        <message>
            <source>CAP alert {identifier}: delivered to {done} of {total} hooks.</source>
            <translation>CAP 预警 {identifier}：{total} 个接收端中已送达 {done} 个。</translation>
        </message>
        <message>
            <source>Signal finished.</source>
            <translation>信号已鸣放完毕。</translation>
        </message>
        <message>
            <source>SOUNDING</source>
            <translation>鸣响中</translation>
        </message>
        <message>
            <source>pause</source>
            <translation>间歇</translation>
        </message>
        <message>
            <source>{phase} {phase_left} s · burst {burst} of {bursts} · cycle ends in {m}:{s:02d}</source>
            <translation>{phase} {phase_left} 秒 · 第 {burst}/{bursts} 响 · 周期剩余 {m}:{s:02d}</translation>
        </message>
        <message>
            <source>No alarm to acknowledge.</source>
            <translation>没有需要确认的警报。</translation>
        </message>
        <message>
            <source>Select a district's row on the board.</source>
            <translation>请在确认表中选择一个区。</translation>
        </message>
        <message>
            <source>You act for district {own}; district {district} acknowledges its own delivery.</source>
            <translation>您代表 {own} 区；{district} 区的警报由该区自行确认。</translation>
        </message>
        <message>
            <source>District {district} acknowledged at {time} ({by}).</source>
            <translation>{district} 区已于 {time} 确认（{by}）。</translation>
        </message>
        <message>
            <source>Recording the acknowledgement…</source>
            <translation>正在记录确认…</translation>
        </message>
        <message>
            <source>Acknowledge for district {district}</source>
            <translation>确认 {district} 区收到警报</translation>
        </message>
        <message>
            <source>District {district} acknowledged at {time}, {seconds:.1f} s after sending.</source>
            <translation>{district} 区已于 {time} 确认，距发出 {seconds:.1f} 秒。</translation>
        </message>
        <message>
            <source>The acknowledgement was not recorded: {reason}</source>
            <translation>确认未能记录：{reason}</translation>
        </message>
        <message>
            <source>Unmute</source>
            <translation>取消静音</translation>
        </message>
        <message>
            <source>The test was not planned: {reason}</source>
            <translation>试鸣未能安排：{reason}</translation>
        </message>
    </context>
    <context>
        <name>AssetStatusPanel</name>
        <message>
            <source>Status</source>
            <translation>状态</translation>
        </message>
        <message>
            <source>Set status</source>
            <translation>设置状态</translation>
        </message>
        <message>
            <source>Note (optional, recorded in the journal)</source>
            <translation>备注（可选，记入日志）</translation>
        </message>
        <message>
            <source>Status: {status}</source>
            <translation>状态：{status}</translation>
        </message>
        <message>
            <source>Your login may not change this status: {reason}</source>
            <translation>您的账号不能更改此状态：{reason}</translation>
        </message>
        <message>
            <source>Saving the status…</source>
            <translation>正在保存状态…</translation>
        </message>
        <message>
            <source>Choose a status other than the current one.</source>
            <translation>请选择与当前不同的状态。</translation>
        </message>
        <message>
            <source>{id}: {before} → {after}, journal event {seq}.</source>
            <translation>{id}：{before} → {after}，日志事件 {seq}。</translation>
        </message>
        <message>
            <source>{id} was already {status}.</source>
            <translation>{id} 已是“{status}”。</translation>
        </message>
        <message>
            <source>The status was not changed: {reason}</source>
            <translation>状态未能更改：{reason}</translation>
        </message>
    </context>
    <context>
        <name>AuditLabel</name>
        <message>
            <source>Audit: not yet checked</source>
            <translation>审计：尚未检查</translation>
        </message>
        <message>
            <source>Audit: checking the journal…</source>
            <translation>审计：正在检查日志…</translation>
        </message>
        <message>
            <source>Audit OK · {events} events · {cases} cases</source>
            <translation>审计通过 · {events} 条日志 · {cases} 个案件</translation>
        </message>
        <message>
            <source>journal broken at event {seq}</source>
            <translation>日志自第 {seq} 条起被改动</translation>
        </message>
        <message>
            <source>{count} cases differ</source>
            <translation>{count} 个案件与日志不符</translation>
        </message>
        <message>
            <source>AUDIT FAILED: {what}</source>
            <translation>审计未通过：{what}</translation>
        </message>
        <message>
            <source>Checked at {time} in {seconds} s: {events} journal events, {cases} cases.</source>
            <translation>检查于 {time}，用时 {seconds} 秒：{events} 条日志，{cases} 个案件。</translation>
        </message>
        <message>
            <source>The journal is not as it was written from event {seq} on ({reason}).</source>
            <translation>日志自第 {seq} 条起与写入时不一致（{reason}）。</translation>
        </message>
        <message>
            <source>Cases that differ from their journal events: {ids}</source>
            <translation>与日志记录不符的案件：{ids}</translation>
        </message>
        <message>
            <source> and {count} more</source>
            <translation> 等，另有 {count} 个</translation>
        </message>
        <message>
            <source>Full list: python main.py audit verify</source>
            <translation>完整清单：python main.py audit verify</translation>
        </message>
        <message>
            <source>Audit could not run: {error}</source>
            <translation>审计无法运行：{error}</translation>
        </message>
    </context>
    <context>
        <name>CameraPlaces</name>
        <message>
            <source>Road</source>
            <translation>道路</translation>
        </message>
        <message>
            <source>Square</source>
            <translation>广场</translation>
        </message>
        <message>
            <source>Park</source>
            <translation>公园</translation>
        </message>
    </context>
    <context>
        <name>CameraStatuses</name>
        <message>
            <source>Online</source>
            <translation>在线</translation>
        </message>
        <message>
            <source>Offline</source>
            <translation>离线</translation>
        </message>
        <message>
            <source>Fault</source>
            <translation>故障</translation>
        </message>
    </context>
    <context>
        <name>Capabilities</name>
        <message>
            <source>Fire fighting</source>
            <translation>灭火</translation>
        </message>
        <message>
            <source>Technical rescue</source>
            <translation>抢险救援</translation>
        </message>
        <message>
            <source>Search and rescue</source>
            <translation>搜救</translation>
        </message>
        <message>
            <source>Hazardous materials</source>
            <translation>危化品处置</translation>
        </message>
        <message>
            <source>Ambulance</source>
            <translation>急救</translation>
        </message>
        <message>
            <source>Police</source>
            <translation>治安警戒</translation>
        </message>
        <message>
            <source>Gas repair</source>
            <translation>燃气抢修</translation>
        </message>
        <message>
            <source>Water repair</source>
            <translation>供水抢修</translation>
        </message>
        <message>
            <source>Heating repair</source>
            <translation>供热抢修</translation>
        </message>
        <message>
            <source>Power repair</source>
            <translation>电力抢修</translation>
        </message>
        <message>
            <source>Pumping</source>
            <translation>排水抢险</translation>
        </message>
        <message>
            <source>Road repair</source>
            <translation>道路抢修</translation>
        </message>
        <message>
            <source>Heavy equipment</source>
            <translation>重型机械</translation>
        </message>
        <message>
            <source>Transport</source>
            <translation>转运车辆</translation>
        </message>
        <message>
            <source>Supplies</source>
            <translation>物资储备</translation>
        </message>
    </context>
    <context>
        <name>CaseActionDialog</name>
        <message>
            <source>Department</source>
            <translation>部门</translation>
        </message>
        <message>
            <source>working days</source>
            <translation>个工作日</translation>
        </message>
        <message>
            <source>working hours</source>
            <translation>个工作小时</translation>
        </message>
        <message>
            <source>Extension asked for</source>
            <translation>申请延期</translation>
        </message>
        <message>
            <source>Citizen's satisfaction</source>
            <translation>市民满意度</translation>
        </message>
        <message>
            <source>Required: say why</source>
            <translation>必填：说明原因</translation>
        </message>
        <message>
            <source>Reason</source>
            <translation>原因</translation>
        </message>
        <message>
            <source>Note</source>
            <translation>备注</translation>
        </message>
        <message>
            <source>Cancel</source>
            <translation>取消</translation>
        </message>
    </context>
    <context>
        <name>CaseActions</name>
        <message>
            <source>Report</source>
            <translation>上报</translation>
        </message>
        <message>
            <source>Accept</source>
            <translation>受理</translation>
        </message>
        <message>
            <source>Send to verify</source>
            <translation>派核实</translation>
        </message>
        <message>
            <source>Fixed on the spot</source>
            <translation>自行处理</translation>
        </message>
        <message>
            <source>Confirm on site</source>
            <translation>现场核实属实</translation>
        </message>
        <message>
            <source>Not found on site</source>
            <translation>现场未发现</translation>
        </message>
        <message>
            <source>Approve self-fix</source>
            <translation>批准自处理</translation>
        </message>
        <message>
            <source>Reject self-fix</source>
            <translation>驳回自处理</translation>
        </message>
        <message>
            <source>File</source>
            <translation>立案</translation>
        </message>
        <message>
            <source>Void</source>
            <translation>作废</translation>
        </message>
        <message>
            <source>Dispatch</source>
            <translation>派遣</translation>
        </message>
        <message>
            <source>Start handling</source>
            <translation>开始处置</translation>
        </message>
        <message>
            <source>Report done</source>
            <translation>处置反馈</translation>
        </message>
        <message>
            <source>Ask for extension</source>
            <translation>申请延期</translation>
        </message>
        <message>
            <source>Ask to return</source>
            <translation>申请回退</translation>
        </message>
        <message>
            <source>Ask to suspend</source>
            <translation>申请挂账</translation>
        </message>
        <message>
            <source>Approve extension</source>
            <translation>批准延期</translation>
        </message>
        <message>
            <source>Reject extension</source>
            <translation>驳回延期</translation>
        </message>
        <message>
            <source>Approve return</source>
            <translation>批准回退</translation>
        </message>
        <message>
            <source>Reject return</source>
            <translation>驳回回退</translation>
        </message>
        <message>
            <source>Approve suspension</source>
            <translation>批准挂账</translation>
        </message>
        <message>
            <source>Reject suspension</source>
            <translation>驳回挂账</translation>
        </message>
        <message>
            <source>Resume</source>
            <translation>恢复处置</translation>
        </message>
        <message>
            <source>Close as special</source>
            <translation>特殊结案</translation>
        </message>
        <message>
            <source>Send to check</source>
            <translation>派核查</translation>
        </message>
        <message>
            <source>Check passed</source>
            <translation>核查通过</translation>
        </message>
        <message>
            <source>Check failed</source>
            <translation>核查未通过</translation>
        </message>
        <message>
            <source>Close</source>
            <translation>结案</translation>
        </message>
        <message>
            <source>Send for rework</source>
            <translation>返工</translation>
        </message>
        <message>
            <source>Record satisfaction</source>
            <translation>登记满意度</translation>
        </message>
        <message>
            <source>Close in error</source>
            <translation>错误结案</translation>
        </message>
        <message>
            <source>Unlink duplicate</source>
            <translation>取消重复关联</translation>
        </message>
        <message>
            <source>Imported history</source>
            <translation>历史导入</translation>
        </message>
        <message>
            <source>Escalated to an incident</source>
            <translation>升级为突发事件</translation>
        </message>
    </context>
    <context>
        <name>CaseChannels</name>
        <message>
            <source>Supervisor</source>
            <translation>监督员上报</translation>
        </message>
        <message>
            <source>Camera</source>
            <translation>视频发现</translation>
        </message>
        <message>
            <source>12319 hotline</source>
            <translation>12319热线</translation>
        </message>
        <message>
            <source>Internet</source>
            <translation>网络</translation>
        </message>
        <message>
            <source>Patrol vehicle</source>
            <translation>巡查车</translation>
        </message>
        <message>
            <source>Media</source>
            <translation>媒体曝光</translation>
        </message>
    </context>
    <context>
        <name>CaseClosureKinds</name>
        <message>
            <source>Normal</source>
            <translation>正常结案</translation>
        </message>
        <message>
            <source>Overdue</source>
            <translation>超期结案</translation>
        </message>
        <message>
            <source>In error</source>
            <translation>错误结案</translation>
        </message>
        <message>
            <source>Special</source>
            <translation>特殊结案</translation>
        </message>
    </context>
    <context>
        <name>CaseKinds</name>
        <message>
            <source>Event</source>
            <translation>事件</translation>
        </message>
        <message>
            <source>Component</source>
            <translation>部件</translation>
        </message>
    </context>
    <context>
        <name>CaseLayer</name>
        <message>
            <source>Reported / awaiting verification</source>
            <translation>已上报 / 待核实</translation>
        </message>
        <message>
            <source>Accepted / filed, awaiting dispatch</source>
            <translation>已受理 / 已立案，待派遣</translation>
        </message>
        <message>
            <source>Dispatched / in handling</source>
            <translation>已派遣 / 处置中</translation>
        </message>
        <message>
            <source>Suspended</source>
            <translation>挂账</translation>
        </message>
        <message>
            <source>Fed back / awaiting check</source>
            <translation>已反馈 / 待核查</translation>
        </message>
        <message>
            <source>Case {id}</source>
            <translation>案件 {id}</translation>
        </message>
        <message>
            <source>overdue</source>
            <translation>超时</translation>
        </message>
        <message>
            <source>urgent</source>
            <translation>紧急</translation>
        </message>
    </context>
    <context>
        <name>CaseLayerTools</name>
        <message>
            <source>Open cases could not be read for the map: {reason}</source>
            <translation>无法读取地图上的在办案件：{reason}</translation>
        </message>
    </context>
    <context>
        <name>CasePanel</name>
        <message>
            <source>No case selected</source>
            <translation>未选择案件</translation>
        </message>
        <message>
            <source>Choose a case in the queue or on the map.</source>
            <translation>请在案件队列或地图上选择案件。</translation>
        </message>
        <message>
            <source>Stage</source>
            <translation>环节</translation>
        </message>
        <message>
            <source>Due</source>
            <translation>时限</translation>
        </message>
        <message>
            <source>Done</source>
            <translation>完成</translation>
        </message>
        <message>
            <source>When</source>
            <translation>时间</translation>
        </message>
        <message>
            <source>Who</source>
            <translation>人员</translation>
        </message>
        <message>
            <source>What</source>
            <translation>操作</translation>
        </message>
        <message>
            <source>Note</source>
            <translation>备注</translation>
        </message>
        <message>
            <source>Details</source>
            <translation>详情</translation>
        </message>
        <message>
            <source>Clocks</source>
            <translation>环节计时</translation>
        </message>
        <message>
            <source>Timeline</source>
            <translation>处理过程</translation>
        </message>
        <message>
            <source>Case {id} does not exist</source>
            <translation>案件 {id} 不存在</translation>
        </message>
        <message>
            <source>Case {id} · {type}</source>
            <translation>案件 {id} · {type}</translation>
        </message>
        <message>
            <source>URGENT</source>
            <translation>紧急</translation>
        </message>
        <message>
            <source>OVERDUE</source>
            <translation>超期</translation>
        </message>
        <message>
            <source>Your role ({role}) could act, but not on this case: {reason}</source>
            <translation>您的角色（{role}）可办理此类操作，但不能办理本案件：{reason}</translation>
        </message>
        <message>
            <source>Your role ({role}) has no step to take on this case now.</source>
            <translation>您的角色（{role}）目前对本案件无可办理的操作。</translation>
        </message>
        <message>
            <source>The case is finished: no further steps.</source>
            <translation>案件已办结，无后续操作。</translation>
        </message>
        <message>
            <source>{mark} · made by exercise {id} ({title}): not a real report</source>
            <translation>{mark} · 由演练 {id}（{title}）生成：不是真实报告</translation>
        </message>
        <message>
            <source>Case</source>
            <translation>案件</translation>
        </message>
        <message>
            <source>Kind</source>
            <translation>类别</translation>
        </message>
        <message>
            <source>Type</source>
            <translation>类型</translation>
        </message>
        <message>
            <source>Channel</source>
            <translation>来源</translation>
        </message>
        <message>
            <source>State</source>
            <translation>状态</translation>
        </message>
        <message>
            <source>Limit</source>
            <translation>时限</translation>
        </message>
        <message>
            <source>Elapsed</source>
            <translation>已用时</translation>
        </message>
        <message>
            <source>Times in city time (UTC+8); a day name marks a day other than today. Working time counts the city's working hours only; natural time counts every minute.</source>
            <translation>时间为本市时间（北京时间，东八区），非今日的时间标出星期。工作时间只计本市工作时段；自然时间连续计时。</translation>
        </message>
        <message>
            <source>ESCALATED</source>
            <translation>已升级</translation>
        </message>
        <message>
            <source>Urgent</source>
            <translation>紧急</translation>
        </message>
        <message>
            <source>yes</source>
            <translation>是</translation>
        </message>
        <message>
            <source>no</source>
            <translation>否</translation>
        </message>
        <message>
            <source>Reported</source>
            <translation>上报时间</translation>
        </message>
        <message>
            <source>Reporter</source>
            <translation>上报人</translation>
        </message>
        <message>
            <source>Description</source>
            <translation>问题描述</translation>
        </message>
        <message>
            <source>Cell</source>
            <translation>单元网格</translation>
        </message>
        <message>
            <source>Community</source>
            <translation>社区</translation>
        </message>
        <message>
            <source>Street</source>
            <translation>街道</translation>
        </message>
        <message>
            <source>District</source>
            <translation>区</translation>
        </message>
        <message>
            <source>Responsible</source>
            <translation>责任单位</translation>
        </message>
        <message>
            <source>the district</source>
            <translation>区级</translation>
        </message>
        <message>
            <source>Supervisor</source>
            <translation>监督员</translation>
        </message>
        <message>
            <source>Component</source>
            <translation>部件</translation>
        </message>
        <message>
            <source>Position</source>
            <translation>位置</translation>
        </message>
        <message>
            <source>Handling deadline</source>
            <translation>处置时限</translation>
        </message>
        <message>
            <source>Overdue</source>
            <translation>超期</translation>
        </message>
        <message>
            <source>Closed</source>
            <translation>结案时间</translation>
        </message>
        <message>
            <source>Closure</source>
            <translation>结案类型</translation>
        </message>
        <message>
            <source>Satisfaction</source>
            <translation>满意度</translation>
        </message>
        <message>
            <source>Duplicate of</source>
            <translation>重复于</translation>
        </message>
        <message>
            <source>Duplicates</source>
            <translation>重复案件</translation>
        </message>
        <message>
            <source>Reworks · returns · extensions · suspensions</source>
            <translation>返工 · 回退 · 延期 · 挂账</translation>
        </message>
        <message>
            <source>Awaiting approval</source>
            <translation>待审批</translation>
        </message>
        <message>
            <source>Incident</source>
            <translation>突发事件</translation>
        </message>
        <message>
            <source>Show incident #{id}</source>
            <translation>查看突发事件 #{id}</translation>
        </message>
        <message>
            <source>{d} d {h} h</source>
            <translation>{d}天{h}小时</translation>
        </message>
        <message>
            <source>{h} h {m} min</source>
            <translation>{h}小时{m}分</translation>
        </message>
        <message>
            <source>{m} min</source>
            <translation>{m}分钟</translation>
        </message>
        <message>
            <source>{n} min</source>
            <translation>{n}分钟</translation>
        </message>
        <message>
            <source>{n} h</source>
            <translation>{n}小时</translation>
        </message>
        <message>
            <source>{n} working days</source>
            <translation>{n}个工作日</translation>
        </message>
        <message>
            <source>{n} days</source>
            <translation>{n}天</translation>
        </message>
        <message>
            <source>working time</source>
            <translation>工作时间</translation>
        </message>
        <message>
            <source>natural time</source>
            <translation>自然时间</translation>
        </message>
        <message>
            <source>stopped while suspended</source>
            <translation>挂账期间停止计时</translation>
        </message>
        <message>
            <source>done in {time}, late by {late}</source>
            <translation>用时{time}，超时{late}</translation>
        </message>
        <message>
            <source>done in {time}, on time</source>
            <translation>用时{time}，按时</translation>
        </message>
        <message>
            <source>ended by {action}: not charged</source>
            <translation>因“{action}”结束，不计考核</translation>
        </message>
        <message>
            <source>attempt {n}: {state}</source>
            <translation>第 {n} 次：{state}</translation>
        </message>
        <message>
            <source>{stage} ({n})</source>
            <translation>{stage}（第 {n} 次）</translation>
        </message>
        <message>
            <source>{time} left</source>
            <translation>剩余{time}</translation>
        </message>
        <message>
            <source>overdue by {time}</source>
            <translation>已超期{time}</translation>
        </message>
        <message>
            <source>Escalated to incident #{id}</source>
            <translation>升级为突发事件 #{id}</translation>
        </message>
        <message>
            <source>{action}: {before} → {after}</source>
            <translation>{action}：由{before}转为{after}</translation>
        </message>
        <message>
            <source>{action}: {after}</source>
            <translation>{action}：转为{after}</translation>
        </message>
        <message>
            <source>{action} done: the case is now {state} (journal #{seq}).</source>
            <translation>{action}已完成：案件现为{state}（日志 #{seq}）。</translation>
        </message>
        <message>
            <source>Refused: {reason}</source>
            <translation>未执行：{reason}</translation>
        </message>
    </context>
    <context>
        <name>CaseQueueModel</name>
        <message>
            <source>Case</source>
            <translation>案件</translation>
        </message>
        <message>
            <source>Reported</source>
            <translation>上报时间</translation>
        </message>
        <message>
            <source>Channel</source>
            <translation>来源</translation>
        </message>
        <message>
            <source>Type</source>
            <translation>类型</translation>
        </message>
        <message>
            <source>District / street</source>
            <translation>区 / 街道</translation>
        </message>
        <message>
            <source>Department</source>
            <translation>责任部门</translation>
        </message>
        <message>
            <source>State</source>
            <translation>状态</translation>
        </message>
        <message>
            <source>Stage due</source>
            <translation>环节时限</translation>
        </message>
        <message>
            <source>Reporter</source>
            <translation>上报人</translation>
        </message>
        <message>
            <source>An exercise's case, made by one of its injects: not a real report.</source>
            <translation>演练案件，由演练的一条注入生成：不是真实报告。</translation>
        </message>
        <message>
            <source>The handling deadline has passed.</source>
            <translation>已超过处置时限。</translation>
        </message>
        <message>
            <source>This stage is past its due time.</source>
            <translation>本环节已超时。</translation>
        </message>
        <message>
            <source>(district)</source>
            <translation>（区级）</translation>
        </message>
        <message>
            <source>OVERDUE {time}</source>
            <translation>超期 {time}</translation>
        </message>
        <message>
            <source>late {time}</source>
            <translation>超时 {time}</translation>
        </message>
    </context>
    <context>
        <name>CaseQueuePanel</name>
        <message>
            <source>Any state</source>
            <translation>全部状态</translation>
        </message>
        <message>
            <source>Any channel</source>
            <translation>全部来源</translation>
        </message>
        <message>
            <source>Overdue only</source>
            <translation>仅看超期</translation>
        </message>
        <message>
            <source>Case id or text…</source>
            <translation>案件编号或文字…</translation>
        </message>
        <message>
            <source>Any type</source>
            <translation>全部类型</translation>
        </message>
        <message>
            <source>Any department</source>
            <translation>全部部门</translation>
        </message>
        <message>
            <source>Any district</source>
            <translation>全部区</translation>
        </message>
        <message>
            <source>The case types could not be read: {error}</source>
            <translation>无法读取案件类型：{error}</translation>
        </message>
        <message>
            <source>Searching…</source>
            <translation>查询中…</translation>
        </message>
        <message>
            <source>The queue could not be read: {error}</source>
            <translation>无法读取案件队列：{error}</translation>
        </message>
        <message>
            <source>{count} cases</source>
            <translation>{count} 件</translation>
        </message>
        <message>
            <source>including exercise records</source>
            <translation>含演练记录</translation>
        </message>
        <message>
            <source>exercise records only</source>
            <translation>仅演练记录</translation>
        </message>
        <message>
            <source>No case matches these filters: set a filter back to Any…, untick Overdue only or clear the search.</source>
            <translation>没有符合筛选条件的案件：把筛选项改回“全部…”、取消“仅看超期”或清空搜索。</translation>
        </message>
        <message>
            <source>No exercise cases: they come from a running exercise's injects.</source>
            <translation>没有演练案件：演练案件由正在进行的演练的注入产生。</translation>
        </message>
        <message>
            <source>No cases yet: reports come in from the Intake tab, the supervisors' devices and the 12319 hotline.</source>
            <translation>暂无案件：案件来自“受理”页、监督员终端和 12319 热线。</translation>
        </message>
    </context>
    <context>
        <name>CaseSatisfaction</name>
        <message>
            <source>Satisfied</source>
            <translation>满意</translation>
        </message>
        <message>
            <source>Basically satisfied</source>
            <translation>基本满意</translation>
        </message>
        <message>
            <source>Unsatisfied</source>
            <translation>不满意</translation>
        </message>
    </context>
    <context>
        <name>CaseStages</name>
        <message>
            <source>Acceptance</source>
            <translation>受理</translation>
        </message>
        <message>
            <source>Verification</source>
            <translation>核实</translation>
        </message>
        <message>
            <source>Filing</source>
            <translation>立案</translation>
        </message>
        <message>
            <source>Dispatch</source>
            <translation>派遣</translation>
        </message>
        <message>
            <source>Handling</source>
            <translation>处置</translation>
        </message>
        <message>
            <source>Sending to check</source>
            <translation>派核查</translation>
        </message>
        <message>
            <source>Check</source>
            <translation>核查</translation>
        </message>
        <message>
            <source>Closing</source>
            <translation>结案</translation>
        </message>
    </context>
    <context>
        <name>CaseStates</name>
        <message>
            <source>Reported</source>
            <translation>已上报</translation>
        </message>
        <message>
            <source>Verifying</source>
            <translation>核实中</translation>
        </message>
        <message>
            <source>Not found on site</source>
            <translation>现场未发现</translation>
        </message>
        <message>
            <source>Accepted</source>
            <translation>已受理</translation>
        </message>
        <message>
            <source>Self-fix under review</source>
            <translation>自处理待审核</translation>
        </message>
        <message>
            <source>Filed</source>
            <translation>已立案</translation>
        </message>
        <message>
            <source>Dispatched</source>
            <translation>已派遣</translation>
        </message>
        <message>
            <source>Handling</source>
            <translation>处置中</translation>
        </message>
        <message>
            <source>Extension requested</source>
            <translation>延期申请中</translation>
        </message>
        <message>
            <source>Return requested</source>
            <translation>回退申请中</translation>
        </message>
        <message>
            <source>Suspension requested</source>
            <translation>挂账申请中</translation>
        </message>
        <message>
            <source>Suspended</source>
            <translation>已挂账</translation>
        </message>
        <message>
            <source>Fed back</source>
            <translation>已反馈</translation>
        </message>
        <message>
            <source>Checking</source>
            <translation>核查中</translation>
        </message>
        <message>
            <source>Checked</source>
            <translation>已核查</translation>
        </message>
        <message>
            <source>Rework pending</source>
            <translation>待返工</translation>
        </message>
        <message>
            <source>Closed</source>
            <translation>已结案</translation>
        </message>
        <message>
            <source>Evaluated</source>
            <translation>已评价</translation>
        </message>
        <message>
            <source>Voided</source>
            <translation>已作废</translation>
        </message>
        <message>
            <source>Merged duplicate</source>
            <translation>重复已合并</translation>
        </message>
    </context>
    <context>
        <name>CaseTools</name>
        <message>
            <source>Case queue</source>
            <translation>案件队列</translation>
        </message>
        <message>
            <source>Case</source>
            <translation>案件</translation>
        </message>
    </context>
    <context>
        <name>CaseWeekdays</name>
        <message>
            <source>Mon</source>
            <translation>周一</translation>
        </message>
        <message>
            <source>Tue</source>
            <translation>周二</translation>
        </message>
        <message>
            <source>Wed</source>
            <translation>周三</translation>
        </message>
        <message>
            <source>Thu</source>
            <translation>周四</translation>
        </message>
        <message>
            <source>Fri</source>
            <translation>周五</translation>
        </message>
        <message>
            <source>Sat</source>
            <translation>周六</translation>
        </message>
        <message>
            <source>Sun</source>
            <translation>周日</translation>
        </message>
    </context>
    <context>
        <name>CityOverviewPanel</name>
        <message>
            <source>Districts</source>
            <translation>区</translation>
        </message>
        <message>
            <source>Street offices</source>
            <translation>街道办事处</translation>
        </message>
        <message>
            <source>Communities</source>
            <translation>社区</translation>
        </message>
        <message>
            <source>Grid cells</source>
            <translation>单元网格</translation>
        </message>
        <message>
            <source>Supervisors</source>
            <translation>监督员</translation>
        </message>
        <message>
            <source>Cameras</source>
            <translation>摄像头</translation>
        </message>
        <message>
            <source>Components</source>
            <translation>部件</translation>
        </message>
        <message>
            <source>Departments</source>
            <translation>专业部门</translation>
        </message>
        <message>
            <source>Open cases</source>
            <translation>未结案件</translation>
        </message>
        <message>
            <source>Cases on record</source>
            <translation>案件总数</translation>
        </message>
        <message>
            <source>Exercise cases (演练, not counted above)</source>
            <translation>演练案件（不计入以上数字）</translation>
        </message>
    </context>
    <context>
        <name>CivilDefence</name>
        <message>
            <source>Pre-warning</source>
            <translation>预先警报</translation>
        </message>
        <message>
            <source>Air raid</source>
            <translation>空袭警报</translation>
        </message>
        <message>
            <source>All clear</source>
            <translation>解除警报</translation>
        </message>
        <message>
            <source>36 s on, 24 s off, 3 times</source>
            <translation>鸣 36 秒、停 24 秒，反复 3 遍</translation>
        </message>
        <message>
            <source>6 s on, 6 s off, 15 times</source>
            <translation>鸣 6 秒、停 6 秒，反复 15 遍</translation>
        </message>
        <message>
            <source>one continuous 3-minute tone</source>
            <translation>连续长鸣 3 分钟</translation>
        </message>
        <message>
            <source>In service</source>
            <translation>在用</translation>
        </message>
        <message>
            <source>Out of service</source>
            <translation>停用</translation>
        </message>
        <message>
            <source>Damaged</source>
            <translation>损坏</translation>
        </message>
        <message>
            <source>Open</source>
            <translation>开放</translation>
        </message>
        <message>
            <source>Closed</source>
            <translation>关闭</translation>
        </message>
        <message>
            <source>Command post</source>
            <translation>指挥工程</translation>
        </message>
        <message>
            <source>Medical</source>
            <translation>医疗救护工程</translation>
        </message>
        <message>
            <source>Professional team</source>
            <translation>防空专业队工程</translation>
        </message>
        <message>
            <source>Personnel, class 1</source>
            <translation>一等人员掩蔽工程</translation>
        </message>
        <message>
            <source>Personnel, class 2</source>
            <translation>二等人员掩蔽工程</translation>
        </message>
        <message>
            <source>Support</source>
            <translation>配套工程</translation>
        </message>
        <message>
            <source>Pending</source>
            <translation>待发送</translation>
        </message>
        <message>
            <source>Sending</source>
            <translation>发送中</translation>
        </message>
        <message>
            <source>Retrying</source>
            <translation>重试中</translation>
        </message>
        <message>
            <source>Delivered</source>
            <translation>已送达</translation>
        </message>
        <message>
            <source>Gave up</source>
            <translation>已放弃</translation>
        </message>
        <message>
            <source>sending</source>
            <translation>发送中</translation>
        </message>
        <message>
            <source>delivered</source>
            <translation>已送达</translation>
        </message>
        <message>
            <source>failed</source>
            <translation>失败</translation>
        </message>
        <message>
            <source>timed out</source>
            <translation>超时</translation>
        </message>
        <message>
            <source>abandoned</source>
            <translation>已中止</translation>
        </message>
    </context>
    <context>
        <name>CivilDefencePage</name>
        <message>
            <source>The civil air defence tools (air-raid alarms and sirens, shelters, evacuation planning) are not installed yet. The map, the grid and the journal work as in everyday mode.</source>
            <translation>人防工具（防空警报与警报器、人防工程、疏散规划）尚未安装。地图、网格和日志与平时模式相同。</translation>
        </message>
        <message>
            <source>Civil air defence</source>
            <translation>人民防空</translation>
        </message>
    </context>
    <context>
        <name>CivilDefenceTools</name>
        <message>
            <source>Alarms</source>
            <translation>警报</translation>
        </message>
        <message>
            <source>Sirens</source>
            <translation>警报器</translation>
        </message>
        <message>
            <source>Evacuation</source>
            <translation>疏散</translation>
        </message>
        <message>
            <source>Civil-defence data could not be loaded: {reason}</source>
            <translation>人防数据无法加载：{reason}</translation>
        </message>
    </context>
    <context>
        <name>CommandPanel</name>
        <message>
            <source>What happened (a significant event)</source>
            <translation>发生了什么（重要事件）</translation>
        </message>
        <message>
            <source>Add to log</source>
            <translation>记入日志</translation>
        </message>
        <message>
            <source>Person</source>
            <translation>人员</translation>
        </message>
        <message>
            <source>Agency</source>
            <translation>单位</translation>
        </message>
        <message>
            <source>Assign</source>
            <translation>任命</translation>
        </message>
        <message>
            <source>Only {allowed} may assign ICS positions.</source>
            <translation>只有{allowed}可以任命指挥岗位。</translation>
        </message>
        <message>
            <source>Export briefing (ICS 201)…</source>
            <translation>导出事件简报（201表）…</translation>
        </message>
        <message>
            <source>Significant events</source>
            <translation>重要事件日志</translation>
        </message>
        <message>
            <source>Command and general staff</source>
            <translation>指挥部与各组</translation>
        </message>
        <message>
            <source>Timeline replay</source>
            <translation>时间线回放</translation>
        </message>
        <message>
            <source>Export the incident briefing</source>
            <translation>导出事件简报</translation>
        </message>
        <message>
            <source>PDF (*.pdf);;HTML (*.html)</source>
            <translation>PDF 文件 (*.pdf);;HTML 网页 (*.html)</translation>
        </message>
        <message>
            <source>The map shows this moment: {state}</source>
            <translation>地图显示此刻：{state}</translation>
        </message>
        <message>
            <source>cordons drawn by hand</source>
            <translation>手绘警戒区</translation>
        </message>
        <message>
            <source>cordons {inner:g} m / {outer:g} m</source>
            <translation>警戒区 {inner:g} 米 / {outer:g} 米</translation>
        </message>
        <message>
            <source>level {level}, {status}, {cordons}; units out: {units}</source>
            <translation>{level}级，{status}，{cordons}；出动力量：{units}</translation>
        </message>
        <message>
            <source>none</source>
            <translation>无</translation>
        </message>
    </context>
    <context>
        <name>Compass</name>
        <message>
            <source>N</source>
            <translation>北</translation>
        </message>
        <message>
            <source>NE</source>
            <translation>东北</translation>
        </message>
        <message>
            <source>E</source>
            <translation>东</translation>
        </message>
        <message>
            <source>SE</source>
            <translation>东南</translation>
        </message>
        <message>
            <source>S</source>
            <translation>南</translation>
        </message>
        <message>
            <source>SW</source>
            <translation>西南</translation>
        </message>
        <message>
            <source>W</source>
            <translation>西</translation>
        </message>
        <message>
            <source>NW</source>
            <translation>西北</translation>
        </message>
    </context>
    <context>
        <name>ComponentMajors</name>
        <message>
            <source>Public utilities</source>
            <translation>市政公用设施</translation>
        </message>
        <message>
            <source>Road traffic</source>
            <translation>交通设施</translation>
        </message>
        <message>
            <source>City appearance</source>
            <translation>市容环卫设施</translation>
        </message>
        <message>
            <source>Landscaping</source>
            <translation>园林绿化设施</translation>
        </message>
        <message>
            <source>Buildings and land</source>
            <translation>房屋土地</translation>
        </message>
        <message>
            <source>Other components</source>
            <translation>其他管理部件</translation>
        </message>
        <message>
            <source>Other facilities</source>
            <translation>其他设施</translation>
        </message>
    </context>
    <context>
        <name>ComponentStates</name>
        <message>
            <source>Intact</source>
            <translation>完好</translation>
        </message>
        <message>
            <source>Damaged</source>
            <translation>破损</translation>
        </message>
        <message>
            <source>Lost</source>
            <translation>丢失</translation>
        </message>
        <message>
            <source>Abandoned</source>
            <translation>废弃</translation>
        </message>
        <message>
            <source>Removed</source>
            <translation>移除</translation>
        </message>
    </context>
    <context>
        <name>ConfirmAlarmDialog</name>
        <message>
            <source>Confirm alarm</source>
            <translation>确认发放警报</translation>
        </message>
        <message>
            <source>Confirm exercise alarm</source>
            <translation>确认演练警报</translation>
        </message>
        <message>
            <source>Sound the {signal} signal ({pattern}) in {where}? Every district centre is ordered to sound it and must acknowledge; the journal records the order as given by {actor}.</source>
            <translation>在{where}鸣放{signal}（{pattern}）？各区指挥中心将收到鸣放命令并须确认；日志将记录该命令由 {actor} 下达。</translation>
        </message>
        <message>
            <source>EXERCISE — a drill, not a real alarm.</source>
            <translation>演练——这是演练，不是真实警报。</translation>
        </message>
        <message>
            <source>Sound {signal}</source>
            <translation>鸣放{signal}</translation>
        </message>
        <message>
            <source>Sound {signal} (exercise)</source>
            <translation>发放{signal}（演练）</translation>
        </message>
        <message>
            <source>Cancel</source>
            <translation>取消</translation>
        </message>
    </context>
    <context>
        <name>ConfirmModeDialog</name>
        <message>
            <source>Confirm mode switch</source>
            <translation>确认切换模式</translation>
        </message>
        <message>
            <source>Switch the city to {mode} mode? Every console and district centre follows the switch, and the journal records it as made by {actor}.</source>
            <translation>确定将城市切换到{mode}模式吗？所有指挥席位和区级中心将随之切换，日志将记录此次切换由 {actor} 执行。</translation>
        </message>
        <message>
            <source>The two-person rule is on: the switch waits until a second authorised person confirms it with their own password within 60 seconds.</source>
            <translation>双人规则已开启：须由第二名有权人员在 60 秒内以本人密码确认后，切换才生效。</translation>
        </message>
        <message>
            <source>Switch to {mode}</source>
            <translation>切换到{mode}</translation>
        </message>
        <message>
            <source>Cancel</source>
            <translation>取消</translation>
        </message>
        <message>
            <source>Reason (required, recorded in the journal)</source>
            <translation>原因（必填，记入日志）</translation>
        </message>
    </context>
    <context>
        <name>ConfirmOrderDialog</name>
        <message>
            <source>Order {id} waits for a second person</source>
            <translation>指令 {id} 等待第二人确认</translation>
        </message>
        <message>
            <source>Order {id}, given by {who} ({role}) at {time}. Reason: {reason}
The two-person rule is on: it takes effect only when a second authorised person confirms it with their own login and password. The journal records both persons.</source>
            <translation>指令 {id}，由 {who}（{role}）于 {time} 下达。原因：{reason}
双人规则已开启：须由第二名有权人员以本人登录名和密码确认后方可生效。日志记录两人。</translation>
        </message>
        <message>
            <source>Confirm order</source>
            <translation>确认指令</translation>
        </message>
        <message>
            <source>Close</source>
            <translation>关闭</translation>
        </message>
        <message>
            <source>Refuse order</source>
            <translation>拒绝指令</translation>
        </message>
        <message>
            <source>the second person's login</source>
            <translation>第二人的登录名</translation>
        </message>
        <message>
            <source>why (when refusing; recorded in the journal)</source>
            <translation>原因（拒绝时填写，记入日志）</translation>
        </message>
        <message>
            <source>Second person's login</source>
            <translation>第二人登录名</translation>
        </message>
        <message>
            <source>Password</source>
            <translation>密码</translation>
        </message>
        <message>
            <source>Note</source>
            <translation>备注</translation>
        </message>
        <message>
            <source>{s} s left to confirm</source>
            <translation>剩余 {s} 秒可确认</translation>
        </message>
        <message>
            <source>Time is up: the order expired at {time}</source>
            <translation>时间已到：指令已于 {time} 过期</translation>
        </message>
        <message>
            <source>Enter the second person's login.</source>
            <translation>请输入第二人的登录名。</translation>
        </message>
        <message>
            <source>Enter {login}'s password.</source>
            <translation>请输入 {login} 的密码。</translation>
        </message>
        <message>
            <source>Checking {login}'s password…</source>
            <translation>正在核验 {login} 的密码…</translation>
        </message>
        <message>
            <source>The decision did not go through: {reason}</source>
            <translation>决定未能送达：{reason}</translation>
        </message>
    </context>
    <context>
        <name>ControllerPage</name>
        <message>
            <source>No exercise has been run. Start… loads an MSEL scenario and runs it on the exercise clock.</source>
            <translation>尚未进行演练。点击“开始…”载入演练脚本，按演练时钟运行。</translation>
        </message>
        <message>
            <source>Start…</source>
            <translation>开始…</translation>
        </message>
        <message>
            <source>Pause</source>
            <translation>暂停</translation>
        </message>
        <message>
            <source>Resume</source>
            <translation>继续</translation>
        </message>
        <message>
            <source>Stop (ENDEX)</source>
            <translation>结束演练</translation>
        </message>
        <message>
            <source>Acknowledge inject</source>
            <translation>确认收到注入</translation>
        </message>
        <message>
            <source>About the selected inject</source>
            <translation>针对所选注入</translation>
        </message>
        <message>
            <source>What the evaluator saw</source>
            <translation>评估员观察到的情况</translation>
        </message>
        <message>
            <source>Add note</source>
            <translation>添加记录</translation>
        </message>
        <message>
            <source>What went wrong or was missing</source>
            <translation>出现的问题或缺失</translation>
        </message>
        <message>
            <source>The corrective action</source>
            <translation>整改措施</translation>
        </message>
        <message>
            <source>Who owns it (a person or a department)</source>
            <translation>责任人（个人或部门）</translation>
        </message>
        <message>
            <source>Due</source>
            <translation>期限</translation>
        </message>
        <message>
            <source>Add to the plan</source>
            <translation>加入整改计划</translation>
        </message>
        <message>
            <source>Objective</source>
            <translation>目标</translation>
        </message>
        <message>
            <source>Issue</source>
            <translation>问题</translation>
        </message>
        <message>
            <source>Action</source>
            <translation>措施</translation>
        </message>
        <message>
            <source>Owner</source>
            <translation>责任人</translation>
        </message>
        <message>
            <source>Ad-hoc inject</source>
            <translation>临时注入</translation>
        </message>
        <message>
            <source>Evaluator notes</source>
            <translation>评估记录</translation>
        </message>
        <message>
            <source>Improvement plan</source>
            <translation>整改计划</translation>
        </message>
        <message>
            <source>Exercise {id}: {title} · {state}</source>
            <translation>演练 {id}：{title} · {state}</translation>
        </message>
        <message>
            <source>{total} injects · {pending} pending · {out} out · {refused} refused · {met} met · {missed} missed</source>
            <translation>共 {total} 条注入 · 待发 {pending} · 已发 {out} · 被拒 {refused} · 达标 {met} · 未达标 {missed}</translation>
        </message>
        <message>
            <source>never</source>
            <translation>从未</translation>
        </message>
        <message>
            <source>Driver: alive, last tick {age:.0f} s ago ({by}).</source>
            <translation>推送程序：运行中，{age:.0f} 秒前最后一次推送（{by}）。</translation>
        </message>
        <message>
            <source>The centre node drives its exercises: check that it runs and serves.</source>
            <translation>演练由市级中心节点推送：请检查该节点是否在运行并处于服务状态。</translation>
        </message>
        <message>
            <source>Start one: {command} (or open a console on this database).</source>
            <translation>请启动一个：{command}（或在此数据库上打开一个控制台）。</translation>
        </message>
        <message>
            <source>No driver: injects are not being delivered (last tick: {last}).</source>
            <translation>没有推送程序：注入未在发出（最后一次推送：{last}）。</translation>
        </message>
        <message>
            <source>No driver is ticking (last tick: {last}); one is needed again when the exercise resumes.</source>
            <translation>没有推送程序在运行（最后一次推送：{last}）；演练恢复时需要重新有一个。</translation>
        </message>
        <message>
            <source> · inject {no}</source>
            <translation> · 注入 {no}</translation>
        </message>
        <message>
            <source>{issue}{objective} → {action} · {owner} · due {due}</source>
            <translation>{issue}{objective} → {action} · {owner} · 期限 {due}</translation>
        </message>
        <message>
            <source>exercise clock {time} · ×{speed:g} · {state}</source>
            <translation>演练时钟 {time} · ×{speed:g} · {state}</translation>
        </message>
        <message>
            <source>ends by itself at {t_plus}</source>
            <translation>于 {t_plus} 自行结束</translation>
        </message>
        <message>
            <source>Exercises are run at the municipal centre; you act for district {district}.</source>
            <translation>演练由市级中心组织；您代表 {district} 区。</translation>
        </message>
        <message>
            <source>Only the drill coordinator or the city commander may run an exercise; you are signed in as {role}.</source>
            <translation>只有演练导调员或市指挥长可以组织演练；您当前的登录角色是{role}。</translation>
        </message>
        <message>
            <source>Exercise {id} is on: stop it (ENDEX) before starting another.</source>
            <translation>演练 {id} 正在进行：请先结束它再开始新的演练。</translation>
        </message>
        <message>
            <source>No exercise is on.</source>
            <translation>当前没有进行中的演练。</translation>
        </message>
        <message>
            <source>The exercise is paused.</source>
            <translation>演练已暂停。</translation>
        </message>
        <message>
            <source>The exercise is running.</source>
            <translation>演练正在进行。</translation>
        </message>
        <message>
            <source>No exercise to write about.</source>
            <translation>没有可记录的演练。</translation>
        </message>
        <message>
            <source>Sign in to take notes.</source>
            <translation>请登录后再记录。</translation>
        </message>
        <message>
            <source>Select an inject in the list to acknowledge it or note on it.</source>
            <translation>在列表中选择一条注入，以确认收到或添加记录。</translation>
        </message>
        <message>
            <source>refused: {reason}</source>
            <translation>被拒：{reason}</translation>
        </message>
        <message>
            <source>Sign in to acknowledge injects.</source>
            <translation>请登录后再确认注入。</translation>
        </message>
        <message>
            <source>Select a delivered inject.</source>
            <translation>请选择一条已发出的注入。</translation>
        </message>
        <message>
            <source>Inject {no} is not waiting for an acknowledgement ({state}).</source>
            <translation>注入 {no} 无需确认（{state}）。</translation>
        </message>
        <message>
            <source>Choose a MSEL file.</source>
            <translation>请选择演练脚本文件。</translation>
        </message>
        <message>
            <source>End the exercise</source>
            <translation>结束演练</translation>
        </message>
        <message>
            <source>End exercise {id} (ENDEX)? Injects not yet delivered are skipped; what the exercise made stays on record, marked as the exercise's.</source>
            <translation>结束演练 {id}？尚未发出的注入将被跳过；演练生成的记录保留，并标记为演练记录。</translation>
        </message>
        <message>
            <source>Write the note first.</source>
            <translation>请先填写记录内容。</translation>
        </message>
        <message>
            <source>Exercise {id} started: {n} injects at ×{speed:g}.</source>
            <translation>演练 {id} 已开始：共 {n} 条注入，倍速 ×{speed:g}。</translation>
        </message>
        <message>
            <source>Exercise {id} paused.</source>
            <translation>演练 {id} 已暂停。</translation>
        </message>
        <message>
            <source>Exercise {id} resumed.</source>
            <translation>演练 {id} 已继续。</translation>
        </message>
        <message>
            <source>Exercise {id} ended (ENDEX).</source>
            <translation>演练 {id} 已结束。</translation>
        </message>
        <message>
            <source>Inject {no} added: it goes out at the next tick.</source>
            <translation>已添加注入 {no}：将在下一次推进时发出。</translation>
        </message>
        <message>
            <source>Inject {no} acknowledged.</source>
            <translation>已确认收到注入 {no}。</translation>
        </message>
        <message>
            <source>Note recorded.</source>
            <translation>记录已保存。</translation>
        </message>
        <message>
            <source>Improvement item recorded.</source>
            <translation>整改事项已保存。</translation>
        </message>
        <message>
            <source>Refused: {reason}</source>
            <translation>被拒绝：{reason}</translation>
        </message>
    </context>
    <context>
        <name>CoverageTableModel</name>
        <message>
            <source>Supervisor</source>
            <translation>监督员</translation>
        </message>
        <message>
            <source>Cells</source>
            <translation>网格数</translation>
        </message>
        <message>
            <source>Problems (n)</source>
            <translation>问题数（n）</translation>
        </message>
        <message>
            <source>Public first</source>
            <translation>公众先报</translation>
        </message>
        <message>
            <source>Share</source>
            <translation>占比</translation>
        </message>
        <message>
            <source>Too few problems to judge this patch's coverage by</source>
            <translation>问题太少，不足以评价该责任网格的巡查覆盖</translation>
        </message>
    </context>
    <context>
        <name>DashboardPanel</name>
        <message>
            <source>Loading the figures…</source>
            <translation>正在读取统计数据…</translation>
        </message>
        <message>
            <source>Daily intake by channel</source>
            <translation>各渠道每日受理量</translation>
        </message>
        <message>
            <source>Open and overdue cases at the end of each day</source>
            <translation>每日末在办与超期案件数</translation>
        </message>
        <message>
            <source>Open</source>
            <translation>在办</translation>
        </message>
        <message>
            <source>Overdue</source>
            <translation>超期</translation>
        </message>
        <message>
            <source>Closure and on-time rates by department</source>
            <translation>各专业部门结案率与按期结案率</translation>
        </message>
        <message>
            <source>Closure and on-time rates by district</source>
            <translation>各区结案率与按期结案率</translation>
        </message>
        <message>
            <source>Solid bar: closure rate; pale bar: on-time rate; colour and letter: the grade.</source>
            <translation>实色条：结案率；浅色条：按期结案率；颜色与字母：评价等级。</translation>
        </message>
        <message>
            <source>Ranking</source>
            <translation>排名</translation>
        </message>
        <message>
            <source>Departments</source>
            <translation>专业部门</translation>
        </message>
        <message>
            <source>Districts</source>
            <translation>区</translation>
        </message>
        <message>
            <source>Supervisor coverage: the public reported first</source>
            <translation>监督员巡查覆盖：公众先报的问题</translation>
        </message>
        <message>
            <source>The figures could not be read: {error}</source>
            <translation>无法读取统计数据：{error}</translation>
        </message>
        <message>
            <source>{first} to {last}, as of {now} (the last day so far)</source>
            <translation>{first} 至 {last}，截至 {now}（最后一天为当日累计）</translation>
        </message>
        <message>
            <source> · including exercise records (演练)</source>
            <translation> · 含演练记录</translation>
        </message>
        <message>
            <source> · exercise records only (演练): not the real figures</source>
            <translation> · 仅演练记录：非真实指标</translation>
        </message>
        <message>
            <source>Per supervisor, the share of the patch's problems (filed, not voided) reported in the duty hours that the 12319 hotline, the internet or the media reported first; the weakest coverage first. Greyed: fewer than {n} problems, too few to judge.</source>
            <translation>每位监督员责任网格内、在岗时段上报的问题（已立案、未作废）中，由12319热线、网络或媒体先报的占比；覆盖最弱者居前。灰色：问题少于 {n} 件，不足以评价。</translation>
        </message>
    </context>
    <context>
        <name>DemoOfferDialog</name>
        <message>
            <source>Sanwei · a demo that moves</source>
            <translation>三位一体 · 动态演示</translation>
        </message>
        <message>
            <source>This is the demo city of Harbin with a month of case history.

Start “a busy day” as a DEMO exercise? About 2,000 reports and three sudden events arrive over 24 scenario hours, played 60 times faster from 08:00: the queue, the map, the dashboard and the emergency page move within a minute. It ends by itself about 16 minutes later, once the day's last report is out.

It is marked EXERCISE / 演练 on every screen and none of it counts in the real figures. The drill coordinator starts it (the demo password is sanwei-demo).</source>
            <translation>这是哈尔滨演示城市，带有一个月的案件历史。

是否以“演示”演练方式开始“繁忙的一天”？约 2,000 条上报和三起突发事件分布在 24 个情景小时内，从 08:00 起以 60 倍速播放：一分钟内案件队列、地图、统计看板和应急页面都会动起来。约 16 分钟后，当天最后一条上报发出后，演示自行结束。

每个界面都标有“演练 EXERCISE”，其数据一概不计入真实指标。由演练导调人员启动（演示密码为 sanwei-demo）。</translation>
        </message>
        <message>
            <source>Drill coordinator</source>
            <translation>演练导调</translation>
        </message>
        <message>
            <source>Password</source>
            <translation>密码</translation>
        </message>
        <message>
            <source>Start the demo</source>
            <translation>开始演示</translation>
        </message>
        <message>
            <source>Not now</source>
            <translation>暂不</translation>
        </message>
        <message>
            <source>Checking the scenario against the city and starting it…</source>
            <translation>正在核对情景与城市数据并启动…</translation>
        </message>
    </context>
    <context>
        <name>DetailsPanel</name>
        <message>
            <source>Selection</source>
            <translation>选中对象</translation>
        </message>
        <message>
            <source>Click the map or search to see details.</source>
            <translation>点击地图或搜索以查看详情。</translation>
        </message>
        <message>
            <source>Cell code</source>
            <translation>网格编码</translation>
        </message>
        <message>
            <source>Legacy code</source>
            <translation>旧标准编码</translation>
        </message>
        <message>
            <source>Community</source>
            <translation>社区</translation>
        </message>
        <message>
            <source>Street</source>
            <translation>街道</translation>
        </message>
        <message>
            <source>District</source>
            <translation>区</translation>
        </message>
        <message>
            <source>Supervisor</source>
            <translation>监督员</translation>
        </message>
        <message>
            <source>Area</source>
            <translation>面积</translation>
        </message>
        <message>
            <source>{n} m²</source>
            <translation>{n} 平方米</translation>
        </message>
        <message>
            <source>Residents</source>
            <translation>常住人口</translation>
        </message>
        <message>
            <source>Daytime population</source>
            <translation>日间人口</translation>
        </message>
        <message>
            <source>Land use</source>
            <translation>用地类型</translation>
        </message>
        <message>
            <source>Open cases</source>
            <translation>未结案件</translation>
        </message>
        <message>
            <source>Components ({n})</source>
            <translation>部件（{n}）</translation>
        </message>
        <message>
            <source>Cell {code}</source>
            <translation>网格 {code}</translation>
        </message>
        <message>
            <source>Component id</source>
            <translation>部件编号</translation>
        </message>
        <message>
            <source>Legacy id</source>
            <translation>旧标准编号</translation>
        </message>
        <message>
            <source>Name</source>
            <translation>名称</translation>
        </message>
        <message>
            <source>Type</source>
            <translation>类型</translation>
        </message>
        <message>
            <source>Type code GB/T 47678.5</source>
            <translation>类型代码 GB/T 47678.5</translation>
        </message>
        <message>
            <source>Type code CJ/T 214</source>
            <translation>类型代码 CJ/T 214</translation>
        </message>
        <message>
            <source>Major class</source>
            <translation>大类</translation>
        </message>
        <message>
            <source>State</source>
            <translation>状态</translation>
        </message>
        <message>
            <source>Owner</source>
            <translation>主管部门</translation>
        </message>
        <message>
            <source>Property</source>
            <translation>权属单位</translation>
        </message>
        <message>
            <source>Maintenance</source>
            <translation>养护单位</translation>
        </message>
        <message>
            <source>Cell</source>
            <translation>所在网格</translation>
        </message>
        <message>
            <source>Registered</source>
            <translation>普查日期</translation>
        </message>
        <message>
            <source>Last change</source>
            <translation>变更日期</translation>
        </message>
        <message>
            <source>Data source</source>
            <translation>数据来源</translation>
        </message>
        <message>
            <source>Position</source>
            <translation>位置</translation>
        </message>
        <message>
            <source>Note</source>
            <translation>备注</translation>
        </message>
        <message>
            <source>Component {id}</source>
            <translation>部件 {id}</translation>
        </message>
        <message>
            <source>Camera id</source>
            <translation>摄像头编号</translation>
        </message>
        <message>
            <source>Status</source>
            <translation>状态</translation>
        </message>
        <message>
            <source>Placed at</source>
            <translation>安装位置</translation>
        </message>
        <message>
            <source>Stream</source>
            <translation>视频流</translation>
        </message>
        <message>
            <source>Heading</source>
            <translation>朝向</translation>
        </message>
        <message>
            <source>{deg}° from north</source>
            <translation>北偏 {deg}°</translation>
        </message>
        <message>
            <source>Field of view</source>
            <translation>视场</translation>
        </message>
        <message>
            <source>{deg}°, {range} m</source>
            <translation>{deg}°，{range} 米</translation>
        </message>
        <message>
            <source>What it sees</source>
            <translation>可视范围</translation>
        </message>
        <message>
            <source>Cells in view</source>
            <translation>可见网格</translation>
        </message>
        <message>
            <source>Components in view</source>
            <translation>可见部件</translation>
        </message>
        <message>
            <source>Camera {id}</source>
            <translation>摄像头 {id}</translation>
        </message>
        <message>
            <source>Supervisor code</source>
            <translation>监督员编号</translation>
        </message>
        <message>
            <source>Device</source>
            <translation>城管通设备</translation>
        </message>
        <message>
            <source>Cells in patch</source>
            <translation>责任网格数</translation>
        </message>
        <message>
            <source>last reported {when}</source>
            <translation>最后上报 {when}</translation>
        </message>
        <message>
            <source>centre of patch (no report yet)</source>
            <translation>责任区中心（尚无上报）</translation>
        </message>
        <message>
            <source>Supervisor {name}</source>
            <translation>监督员 {name}</translation>
        </message>
        <message>
            <source>Code</source>
            <translation>编码</translation>
        </message>
        <message>
            <source>Part of</source>
            <translation>上级</translation>
        </message>
        <message>
            <source>Cells</source>
            <translation>网格数</translation>
        </message>
        <message>
            <source>{n} km²</source>
            <translation>{n} 平方公里</translation>
        </message>
        <message>
            <source>Components</source>
            <translation>部件数</translation>
        </message>
        <message>
            <source>Incident</source>
            <translation>突发事件</translation>
        </message>
        <message>
            <source>Title</source>
            <translation>标题</translation>
        </message>
        <message>
            <source>Level now</source>
            <translation>当前级别</translation>
        </message>
        <message>
            <source>Status now</source>
            <translation>当前状态</translation>
        </message>
        <message>
            <source>Commander</source>
            <translation>指挥员</translation>
        </message>
        <message>
            <source>Opened</source>
            <translation>发生时间</translation>
        </message>
        <message>
            <source>Closed</source>
            <translation>结束时间</translation>
        </message>
        <message>
            <source>Escalated</source>
            <translation>升级</translation>
        </message>
        <message>
            <source>{when} by {who}, at {level}</source>
            <translation>{when}，{who}升级，当时为{level}</translation>
        </message>
        <message>
            <source>From case</source>
            <translation>来源案件</translation>
        </message>
        <message>
            <source>The emergency page shows the incident in full while the city is in emergency mode.</source>
            <translation>城市处于应急模式时，应急页面显示该事件的全部信息。</translation>
        </message>
        <message>
            <source>Exercise</source>
            <translation>演练</translation>
        </message>
        <message>
            <source>yes: a drill's incident, not a real one</source>
            <translation>是：演练事件，非真实事件</translation>
        </message>
        <message>
            <source>Incident #{id}</source>
            <translation>突发事件 #{id}</translation>
        </message>
        <message>
            <source>Not found</source>
            <translation>未找到</translation>
        </message>
        <message>
            <source>Key</source>
            <translation>查询键</translation>
        </message>
    </context>
    <context>
        <name>EmergencyConsole</name>
        <message>
            <source>Refused: {reason}</source>
            <translation>被拒绝：{reason}</translation>
        </message>
        <message>
            <source>Incident #{id} opened.</source>
            <translation>事件 #{id} 已开启。</translation>
        </message>
        <message>
            <source>Case {case} escalated to incident #{id}.</source>
            <translation>案件 {case} 已升级为事件 #{id}。</translation>
        </message>
        <message>
            <source>The briefing could not be written: {error}</source>
            <translation>简报无法写出：{error}</translation>
        </message>
        <message>
            <source>Briefing written to {path}.</source>
            <translation>简报已写入 {path}。</translation>
        </message>
        <message>
            <source>Your role ({role}) may not open incidents or escalate cases: only {allowed}.</source>
            <translation>您的角色（{role}）不能开启事件或升级案件：只有{allowed}可以。</translation>
        </message>
        <message>
            <source>An incident that is {current} cannot become {target}.</source>
            <translation>“{current}”的事件不能变为“{target}”。</translation>
        </message>
        <message>
            <source>A task that is {current} cannot become {target}.</source>
            <translation>“{current}”的任务不能变为“{target}”。</translation>
        </message>
        <message>
            <source>Your role ({role}) may not do this: only {allowed}.</source>
            <translation>您的角色（{role}）不能执行此操作：只有{allowed}可以。</translation>
        </message>
        <message>
            <source>Incidents</source>
            <translation>事件</translation>
        </message>
        <message>
            <source>Impact</source>
            <translation>影响</translation>
        </message>
        <message>
            <source>Resources</source>
            <translation>资源</translation>
        </message>
        <message>
            <source>Command record</source>
            <translation>指挥记录</translation>
        </message>
        <message>
            <source>Click on the map where the incident is.</source>
            <translation>请在地图上点击事件发生的位置。</translation>
        </message>
        <message>
            <source>Open an incident here…</source>
            <translation>在此处开启事件…</translation>
        </message>
        <message>
            <source>the incident area</source>
            <translation>事件区域</translation>
        </message>
        <message>
            <source>the inner cordon</source>
            <translation>内警戒圈</translation>
        </message>
        <message>
            <source>the outer cordon</source>
            <translation>外警戒圈</translation>
        </message>
        <message>
            <source>Select an incident first.</source>
            <translation>请先选择一个事件。</translation>
        </message>
        <message>
            <source>Draw {what} on the map: click its corners; double-click or Enter closes it, Backspace takes back a corner, Esc cancels.</source>
            <translation>在地图上绘制{what}：依次单击各顶点；双击或按回车键闭合，按退格键撤销上一个顶点，按 Esc 键取消。</translation>
        </message>
        <message>
            <source>Drawn {what}: {n} corners.</source>
            <translation>已绘制{what}：{n} 个顶点。</translation>
        </message>
        <message>
            <source>Incident #{id}: area changed.</source>
            <translation>事件 #{id}：区域已更改。</translation>
        </message>
        <message>
            <source>Drawing cancelled: nothing changed.</source>
            <translation>已取消绘制，未作任何更改。</translation>
        </message>
    </context>
    <context>
        <name>EmergencyPage</name>
        <message>
            <source>The emergency rescue tools (incidents and response levels, cordons and affected population, resources and dispatch, the incident log) are not installed yet. The map, the grid and the journal work as in everyday mode.</source>
            <translation>应急工具（事件与响应级别、警戒区与受影响人口、资源与调度、事件日志）尚未安装。地图、网格和日志与平时模式相同。</translation>
        </message>
        <message>
            <source>Emergency rescue</source>
            <translation>应急抢险</translation>
        </message>
    </context>
    <context>
        <name>EmergencyTables</name>
        <message>
            <source>No.</source>
            <translation>编号</translation>
        </message>
        <message>
            <source>Type</source>
            <translation>类型</translation>
        </message>
        <message>
            <source>Level</source>
            <translation>级别</translation>
        </message>
        <message>
            <source>Status</source>
            <translation>状态</translation>
        </message>
        <message>
            <source>Opened</source>
            <translation>开启时间</translation>
        </message>
        <message>
            <source>Commander</source>
            <translation>指挥官</translation>
        </message>
        <message>
            <source>Task</source>
            <translation>任务</translation>
        </message>
        <message>
            <source>Unit</source>
            <translation>队伍</translation>
        </message>
        <message>
            <source>ETA (min)</source>
            <translation>预计到达（分钟）</translation>
        </message>
        <message>
            <source>Due</source>
            <translation>时限</translation>
        </message>
        <message>
            <source>Owner</source>
            <translation>承办方</translation>
        </message>
        <message>
            <source>Capability</source>
            <translation>能力</translation>
        </message>
        <message>
            <source>Distance (km)</source>
            <translation>距离（千米）</translation>
        </message>
        <message>
            <source>Base</source>
            <translation>驻地</translation>
        </message>
        <message>
            <source>Time</source>
            <translation>时间</translation>
        </message>
        <message>
            <source>Who</source>
            <translation>记录人</translation>
        </message>
        <message>
            <source>Entry</source>
            <translation>内容</translation>
        </message>
        <message>
            <source>Camera</source>
            <translation>摄像头</translation>
        </message>
        <message>
            <source>Name</source>
            <translation>名称</translation>
        </message>
        <message>
            <source>Distance (m)</source>
            <translation>距离（米）</translation>
        </message>
        <message>
            <source>Place</source>
            <translation>场所</translation>
        </message>
        <message>
            <source>Kind</source>
            <translation>类别</translation>
        </message>
        <message>
            <source>Capacity</source>
            <translation>容量</translation>
        </message>
        <message>
            <source>Hospital</source>
            <translation>医院</translation>
        </message>
        <message>
            <source>Emergency centre</source>
            <translation>急救中心</translation>
        </message>
        <message>
            <source>Shelter</source>
            <translation>人防工程</translation>
        </message>
        <message>
            <source>Inner</source>
            <translation>内圈</translation>
        </message>
        <message>
            <source>Outer</source>
            <translation>外圈</translation>
        </message>
        <message>
            <source>Owner department</source>
            <translation>权属部门</translation>
        </message>
        <message>
            <source>Components</source>
            <translation>部件</translation>
        </message>
        <message>
            <source>In inner cordon</source>
            <translation>内圈内</translation>
        </message>
        <message>
            <source>Case</source>
            <translation>案件</translation>
        </message>
        <message>
            <source>State</source>
            <translation>状态</translation>
        </message>
        <message>
            <source>Zone</source>
            <translation>区域</translation>
        </message>
        <message>
            <source>Position</source>
            <translation>岗位</translation>
        </message>
        <message>
            <source>Person</source>
            <translation>人员</translation>
        </message>
        <message>
            <source>Agency</source>
            <translation>单位</translation>
        </message>
        <message>
            <source>Event</source>
            <translation>事件</translation>
        </message>
    </context>
    <context>
        <name>EvacuationPanel</name>
        <message>
            <source>Longest walk</source>
            <translation>最长步行</translation>
        </message>
        <message>
            <source> min</source>
            <translation> 分钟</translation>
        </message>
        <message>
            <source>Compute plan</source>
            <translation>计算方案</translation>
        </message>
        <message>
            <source>Export CSV</source>
            <translation>导出 CSV</translation>
        </message>
        <message>
            <source>Export GeoJSON</source>
            <translation>导出 GeoJSON</translation>
        </message>
        <message>
            <source>No plan computed yet.</source>
            <translation>尚未计算疏散方案。</translation>
        </message>
        <message>
            <source>Shelters: planned load and capacity</source>
            <translation>人防工程：计划容纳与容量</translation>
        </message>
        <message>
            <source>Shelter</source>
            <translation>工程</translation>
        </message>
        <message>
            <source>District</source>
            <translation>区</translation>
        </message>
        <message>
            <source>Class</source>
            <translation>类别</translation>
        </message>
        <message>
            <source>Status</source>
            <translation>状态</translation>
        </message>
        <message>
            <source>Capacity</source>
            <translation>容量</translation>
        </message>
        <message>
            <source>Planned load</source>
            <translation>计划人数</translation>
        </message>
        <message>
            <source>Load %</source>
            <translation>负荷 %</translation>
        </message>
        <message>
            <source>Occupancy</source>
            <translation>实际人数</translation>
        </message>
        <message>
            <source>Close shelter</source>
            <translation>关闭工程</translation>
        </message>
        <message>
            <source>Reopen shelter</source>
            <translation>重新开放</translation>
        </message>
        <message>
            <source>Head count</source>
            <translation>清点人数</translation>
        </message>
        <message>
            <source>Report occupancy</source>
            <translation>上报人数</translation>
        </message>
        <message>
            <source>Deficits: people without a place</source>
            <translation>缺口：无处掩蔽的人员</translation>
        </message>
        <message>
            <source>Name</source>
            <translation>名称</translation>
        </message>
        <message>
            <source>Staying</source>
            <translation>留城人口</translation>
        </message>
        <message>
            <source>Placed</source>
            <translation>已安置</translation>
        </message>
        <message>
            <source>Unplaced</source>
            <translation>未安置</translation>
        </message>
        <message>
            <source>Places in district</source>
            <translation>区内掩蔽位</translation>
        </message>
        <message>
            <source>Cell</source>
            <translation>网格</translation>
        </message>
        <message>
            <source>Only the civil-defence officer may close or reopen shelters; you are logged in as {role}.</source>
            <translation>只有人防干部可以关闭或重新开放人防工程；您当前的登录角色是{role}。</translation>
        </message>
        <message>
            <source>Computing the optimal plan…</source>
            <translation>正在计算最优方案…</translation>
        </message>
        <message>
            <source>The plan failed: {reason}</source>
            <translation>方案计算失败：{reason}</translation>
        </message>
        <message>
            <source>Closing {id} and re-planning…</source>
            <translation>正在关闭 {id} 并重新规划…</translation>
        </message>
        <message>
            <source>{id} closed: {displaced} people displaced, {moved} moved, {unplaced} more unplaced.</source>
            <translation>{id} 已关闭：{displaced} 人需转移，{moved} 人改换工程，新增未安置 {unplaced} 人。</translation>
        </message>
        <message>
            <source>{id} reports {persons} people, over its capacity of {capacity}.</source>
            <translation>{id} 上报 {persons} 人，超过其容量 {capacity}。</translation>
        </message>
        <message>
            <source>Staying {staying} · placed {assigned} · unplaced {unplaced} · {pm} person-km · mean walk {walk} m · solver: {status}</source>
            <translation>留城 {staying} · 已安置 {assigned} · 未安置 {unplaced} · {pm} 人·公里 · 平均步行 {walk} 米 · 求解：{status}</translation>
        </message>
        <message>
            <source>optimal</source>
            <translation>最优</translation>
        </message>
        <message>
            <source>CSV files (*.csv)</source>
            <translation>CSV 文件 (*.csv)</translation>
        </message>
        <message>
            <source>GeoJSON files (*.geojson)</source>
            <translation>GeoJSON 文件 (*.geojson)</translation>
        </message>
        <message>
            <source>Export the evacuation plan</source>
            <translation>导出疏散方案</translation>
        </message>
        <message>
            <source>Export failed: {reason}</source>
            <translation>导出失败：{reason}</translation>
        </message>
        <message>
            <source>Plan exported to {path}.</source>
            <translation>方案已导出到 {path}。</translation>
        </message>
    </context>
    <context>
        <name>EverydayPage</name>
        <message>
            <source>City overview</source>
            <translation>城市概况</translation>
        </message>
    </context>
    <context>
        <name>ExerciseBanner</name>
        <message>
            <source>Acknowledge</source>
            <translation>确认收到</translation>
        </message>
        <message>
            <source>{t_plus} (exercise clock {time})</source>
            <translation>{t_plus}（演练时钟 {time}）</translation>
        </message>
        <message>
            <source>Inject {no} to you ({kind}, from {sender}): {what}</source>
            <translation>发给您的注入 {no}（{kind}，来自 {sender}）：{what}</translation>
        </message>
        <message>
            <source>(+{n} more)</source>
            <translation>（另有 {n} 条）</translation>
        </message>
        <message>
            <source>Say that inject {no} reached you (recorded in the exercise's journal).</source>
            <translation>确认已收到注入 {no}（记入演练日志）。</translation>
        </message>
        <message>
            <source>Not acknowledged: {reason}</source>
            <translation>未能确认：{reason}</translation>
        </message>
    </context>
    <context>
        <name>ExerciseRecordsBox</name>
        <message>
            <source>Exercise records:</source>
            <translation>演练记录：</translation>
        </message>
        <message>
            <source>Whether lists and figures leave out the records exercises made (cases, incidents, alarms), include them, or show only them. While an exercise is on this is “include”.</source>
            <translation>列表和统计是否排除演练生成的记录（案件、事件、警报）、包含它们，或只显示它们。演练进行期间默认为“包含”。</translation>
        </message>
    </context>
    <context>
        <name>ExerciseTools</name>
        <message>
            <source>The exercise could not be read: {error}</source>
            <translation>无法读取演练：{error}</translation>
        </message>
        <message>
            <source>The exercise tick failed: {error}</source>
            <translation>演练推进失败：{error}</translation>
        </message>
    </context>
    <context>
        <name>Exercises</name>
        <message>
            <source>Report</source>
            <translation>报告</translation>
        </message>
        <message>
            <source>Incident</source>
            <translation>事件</translation>
        </message>
        <message>
            <source>Alarm</source>
            <translation>警报</translation>
        </message>
        <message>
            <source>Asset</source>
            <translation>设施</translation>
        </message>
        <message>
            <source>Unit</source>
            <translation>队伍</translation>
        </message>
        <message>
            <source>Message</source>
            <translation>消息</translation>
        </message>
        <message>
            <source>Pending</source>
            <translation>待发</translation>
        </message>
        <message>
            <source>Delivered</source>
            <translation>已发出</translation>
        </message>
        <message>
            <source>Acknowledged</source>
            <translation>已确认</translation>
        </message>
        <message>
            <source>Actioned</source>
            <translation>已处置</translation>
        </message>
        <message>
            <source>Refused</source>
            <translation>被拒</translation>
        </message>
        <message>
            <source>Skipped</source>
            <translation>已跳过</translation>
        </message>
        <message>
            <source>running</source>
            <translation>进行中</translation>
        </message>
        <message>
            <source>paused</source>
            <translation>已暂停</translation>
        </message>
        <message>
            <source>stopped (ENDEX)</source>
            <translation>已结束（中止）</translation>
        </message>
        <message>
            <source>completed (ENDEX)</source>
            <translation>已结束（完成）</translation>
        </message>
        <message>
            <source>Observation</source>
            <translation>观察</translation>
        </message>
        <message>
            <source>Strength</source>
            <translation>亮点</translation>
        </message>
        <message>
            <source>Area for improvement</source>
            <translation>待改进</translation>
        </message>
        <message>
            <source>Expected action met</source>
            <translation>预期行动达标</translation>
        </message>
        <message>
            <source>Expected action missed</source>
            <translation>预期行动未达标</translation>
        </message>
        <message>
            <source>Available</source>
            <translation>可用</translation>
        </message>
        <message>
            <source>Assigned</source>
            <translation>已派出</translation>
        </message>
        <message>
            <source>Out of service</source>
            <translation>停用</translation>
        </message>
        <message>
            <source>leave out</source>
            <translation>排除</translation>
        </message>
        <message>
            <source>include</source>
            <translation>包含</translation>
        </message>
        <message>
            <source>only</source>
            <translation>仅显示</translation>
        </message>
    </context>
    <context>
        <name>GraphicsScene</name>
        <message>
            <source>Export...</source>
            <translation>导出…</translation>
        </message>
    </context>
    <context>
        <name>IcsPositions</name>
        <message>
            <source>Incident commander</source>
            <translation>现场指挥官</translation>
        </message>
        <message>
            <source>Operations</source>
            <translation>行动组</translation>
        </message>
        <message>
            <source>Planning</source>
            <translation>计划组</translation>
        </message>
        <message>
            <source>Logistics</source>
            <translation>后勤组</translation>
        </message>
        <message>
            <source>Finance and administration</source>
            <translation>财务行政组</translation>
        </message>
        <message>
            <source>Liaison</source>
            <translation>联络官</translation>
        </message>
        <message>
            <source>Safety</source>
            <translation>安全官</translation>
        </message>
        <message>
            <source>Public information</source>
            <translation>新闻发布官</translation>
        </message>
    </context>
    <context>
        <name>ImpactPanel</name>
        <message>
            <source>Affected cells</source>
            <translation>受影响网格</translation>
        </message>
        <message>
            <source>Communities</source>
            <translation>社区</translation>
        </message>
        <message>
            <source>People (outer cordon)</source>
            <translation>人数（外圈）</translation>
        </message>
        <message>
            <source>People (inner cordon)</source>
            <translation>人数（内圈）</translation>
        </message>
        <message>
            <source>Components</source>
            <translation>部件</translation>
        </message>
        <message>
            <source>Cameras seeing it</source>
            <translation>可见摄像头</translation>
        </message>
        <message>
            <source>Open cases inside</source>
            <translation>圈内未结案件</translation>
        </message>
        <message>
            <source>Shelters / hospitals nearby</source>
            <translation>附近人防工程／医院</translation>
        </message>
        <message>
            <source>Change cordons</source>
            <translation>调整警戒圈</translation>
        </message>
        <message>
            <source>Cordons (m)</source>
            <translation>警戒圈（米）</translation>
        </message>
        <message>
            <source>Redraw area</source>
            <translation>重绘区域</translation>
        </message>
        <message>
            <source>Draw inner cordon</source>
            <translation>绘制内警戒圈</translation>
        </message>
        <message>
            <source>Draw outer cordon</source>
            <translation>绘制外警戒圈</translation>
        </message>
        <message>
            <source>Only {allowed} may change an incident's area.</source>
            <translation>只有{allowed}可以更改事件区域。</translation>
        </message>
        <message>
            <source>Components by owner department</source>
            <translation>按权属部门统计的部件</translation>
        </message>
        <message>
            <source>Cameras covering the area (nearest first; click to view)</source>
            <translation>覆盖该区域的摄像头（由近及远，点击查看）</translation>
        </message>
        <message>
            <source>Shelters and hospitals nearby</source>
            <translation>附近的人防工程和医院</translation>
        </message>
        <message>
            <source>Open everyday cases inside</source>
            <translation>圈内未结的城管案件</translation>
        </message>
    </context>
    <context>
        <name>IncidentCategories</name>
        <message>
            <source>Natural disaster</source>
            <translation>自然灾害</translation>
        </message>
        <message>
            <source>Accident</source>
            <translation>事故灾难</translation>
        </message>
        <message>
            <source>Public health</source>
            <translation>公共卫生事件</translation>
        </message>
        <message>
            <source>Social security</source>
            <translation>社会安全事件</translation>
        </message>
    </context>
    <context>
        <name>IncidentLevels</name>
        <message>
            <source>Level I (extremely serious)</source>
            <translation>Ⅰ级（特别重大）</translation>
        </message>
        <message>
            <source>Level II (serious)</source>
            <translation>Ⅱ级（重大）</translation>
        </message>
        <message>
            <source>Level III (relatively serious)</source>
            <translation>Ⅲ级（较大）</translation>
        </message>
        <message>
            <source>Level IV (general)</source>
            <translation>Ⅳ级（一般）</translation>
        </message>
        <message>
            <source>I</source>
            <translation>Ⅰ级</translation>
        </message>
        <message>
            <source>II</source>
            <translation>Ⅱ级</translation>
        </message>
        <message>
            <source>III</source>
            <translation>Ⅲ级</translation>
        </message>
        <message>
            <source>IV</source>
            <translation>Ⅳ级</translation>
        </message>
    </context>
    <context>
        <name>IncidentStatuses</name>
        <message>
            <source>Reported</source>
            <translation>已报告</translation>
        </message>
        <message>
            <source>Responding</source>
            <translation>处置中</translation>
        </message>
        <message>
            <source>Contained</source>
            <translation>已控制</translation>
        </message>
        <message>
            <source>Closed</source>
            <translation>已关闭</translation>
        </message>
    </context>
    <context>
        <name>IncidentTypes</name>
        <message>
            <source>Road collapse</source>
            <translation>路面塌陷</translation>
        </message>
        <message>
            <source>Water main burst</source>
            <translation>自来水管破裂</translation>
        </message>
        <message>
            <source>Gas main rupture</source>
            <translation>燃气管道破裂</translation>
        </message>
        <message>
            <source>Sewer blockage or break</source>
            <translation>下水道堵塞或破损</translation>
        </message>
        <message>
            <source>Heating main burst</source>
            <translation>热力管道破裂</translation>
        </message>
        <message>
            <source>Road flooding</source>
            <translation>道路积水</translation>
        </message>
        <message>
            <source>Snow and ice on roads</source>
            <translation>道路积雪结冰</translation>
        </message>
        <message>
            <source>Fallen overhead cables</source>
            <translation>架空线缆损坏</translation>
        </message>
        <message>
            <source>Mass incident</source>
            <translation>群发性事件</translation>
        </message>
        <message>
            <source>Other sudden event</source>
            <translation>其他突发事件</translation>
        </message>
        <message>
            <source>Fire</source>
            <translation>火灾</translation>
        </message>
        <message>
            <source>Flood</source>
            <translation>洪涝</translation>
        </message>
        <message>
            <source>Gas leak</source>
            <translation>燃气泄漏</translation>
        </message>
        <message>
            <source>Building collapse</source>
            <translation>建筑物倒塌</translation>
        </message>
        <message>
            <source>Hazardous materials release</source>
            <translation>危险化学品泄漏</translation>
        </message>
        <message>
            <source>Explosion</source>
            <translation>爆炸</translation>
        </message>
        <message>
            <source>Major traffic accident</source>
            <translation>重大交通事故</translation>
        </message>
        <message>
            <source>Earthquake</source>
            <translation>地震</translation>
        </message>
        <message>
            <source>Crowd crush at a mass gathering</source>
            <translation>人员密集场所拥挤踩踏</translation>
        </message>
        <message>
            <source>Epidemic outbreak</source>
            <translation>传染病疫情</translation>
        </message>
        <message>
            <source>Mass food poisoning</source>
            <translation>群体性食物中毒</translation>
        </message>
        <message>
            <source>Terrorist attack</source>
            <translation>恐怖袭击</translation>
        </message>
    </context>
    <context>
        <name>IncidentsPanel</name>
        <message>
            <source>All statuses</source>
            <translation>全部状态</translation>
        </message>
        <message>
            <source>New incident…</source>
            <translation>新事件…</translation>
        </message>
        <message>
            <source>Show</source>
            <translation>显示</translation>
        </message>
        <message>
            <source>Responding</source>
            <translation>开始处置</translation>
        </message>
        <message>
            <source>Contained</source>
            <translation>已控制</translation>
        </message>
        <message>
            <source>Close</source>
            <translation>关闭事件</translation>
        </message>
        <message>
            <source>Note (why: needed to resume or to close a false alarm)</source>
            <translation>说明（恢复处置或作为误报关闭时必填）</translation>
        </message>
        <message>
            <source>Set level</source>
            <translation>调整级别</translation>
        </message>
        <message>
            <source>Only {allowed} may change an incident's level.</source>
            <translation>只有{allowed}可以调整事件级别。</translation>
        </message>
        <message>
            <source>No incident is {status}. Show all statuses to see the others.</source>
            <translation>没有处于“{status}”状态的事件。显示全部状态可查看其他事件。</translation>
        </message>
        <message>
            <source>No incidents.</source>
            <translation>暂无事件。</translation>
        </message>
        <message>
            <source>No incidents. Open one with New incident…, or in emergency mode (F3) right-click the map where it is.</source>
            <translation>暂无事件。点击“新事件…”开启，或在应急模式（F3）下在地图上事发位置点击右键。</translation>
        </message>
        <message>
            <source>Exercise deadline 演练时限 {time} on the exercise clock: the drill's report to the State Council (no real report is due)</source>
            <translation>演练时限：演练时钟 {time}，演练中向国务院的报告（无需真实上报）</translation>
        </message>
        <message>
            <source> — overdue</source>
            <translation> — 已超时</translation>
        </message>
        <message>
            <source>cordons drawn by hand</source>
            <translation>警戒圈为手绘</translation>
        </message>
        <message>
            <source>cordons drawn by hand (inner {inner} m², outer {outer} m²)</source>
            <translation>警戒圈为手绘（内圈 {inner} 平方米，外圈 {outer} 平方米）</translation>
        </message>
        <message>
            <source>drawn by hand</source>
            <translation>手绘</translation>
        </message>
        <message>
            <source>drawn by hand ({n} m²)</source>
            <translation>手绘（{n} 平方米）</translation>
        </message>
        <message>
            <source>{m} m</source>
            <translation>{m} 米</translation>
        </message>
        <message>
            <source>cordons: inner {inner}, outer {outer}</source>
            <translation>警戒圈：内圈 {inner}，外圈 {outer}</translation>
        </message>
        <message>
            <source>cordons {inner:g} m / {outer:g} m around the drawn area</source>
            <translation>警戒圈 绘制区域外 {inner:g} 米／{outer:g} 米</translation>
        </message>
        <message>
            <source>cordons {inner:g} m / {outer:g} m</source>
            <translation>警戒圈 {inner:g} 米／{outer:g} 米</translation>
        </message>
        <message>
            <source>Escalated from case {case}</source>
            <translation>由案件 {case} 升级</translation>
        </message>
        <message>
            <source>Exercise deadline 演练时限 {time}: the drill's report to the State Council (no real report is due)</source>
            <translation>演练时限 {time}：演练中向国务院的报告（无需真实上报）</translation>
        </message>
        <message>
            <source>Report to the State Council by {time}</source>
            <translation>须于 {time} 前上报国务院</translation>
        </message>
    </context>
    <context>
        <name>InjectForm</name>
        <message>
            <source>A login or a role, e.g. city_commander</source>
            <translation>登录名或角色（如市指挥长的登录名）</translation>
        </message>
        <message>
            <source>What the players are told</source>
            <translation>告知参演人员的内容</translation>
        </message>
        <message>
            <source>Expected action, e.g. case.accept (optional)</source>
            <translation>预期行动：日志事件名（可选）</translation>
        </message>
        <message>
            <source>no limit</source>
            <translation>不限时</translation>
        </message>
        <message>
            <source> min</source>
            <translation> 分钟</translation>
        </message>
        <message>
            <source>the type's</source>
            <translation>按类型默认</translation>
        </message>
        <message>
            <source>District codes, or empty for the whole city</source>
            <translation>区代码，留空为全市</translation>
        </message>
        <message>
            <source>Component or camera id</source>
            <translation>部件或摄像机编号</translation>
        </message>
        <message>
            <source>Type</source>
            <translation>类型</translation>
        </message>
        <message>
            <source>Channel</source>
            <translation>来源</translation>
        </message>
        <message>
            <source>Cell</source>
            <translation>网格</translation>
        </message>
        <message>
            <source>Level</source>
            <translation>级别</translation>
        </message>
        <message>
            <source>Radius</source>
            <translation>半径</translation>
        </message>
        <message>
            <source>Signal</source>
            <translation>信号</translation>
        </message>
        <message>
            <source>Districts</source>
            <translation>区</translation>
        </message>
        <message>
            <source>Asset</source>
            <translation>设施</translation>
        </message>
        <message>
            <source>Status</source>
            <translation>状态</translation>
        </message>
        <message>
            <source>Unit</source>
            <translation>队伍</translation>
        </message>
        <message>
            <source>Send inject</source>
            <translation>发出注入</translation>
        </message>
        <message>
            <source>Kind</source>
            <translation>种类</translation>
        </message>
        <message>
            <source>To</source>
            <translation>发给</translation>
        </message>
        <message>
            <source>Message</source>
            <translation>内容</translation>
        </message>
        <message>
            <source>Expected</source>
            <translation>预期行动</translation>
        </message>
        <message>
            <source>Within</source>
            <translation>时限</translation>
        </message>
        <message>
            <source>Cell code (choose a cell on the map)</source>
            <translation>网格编码（在地图上选择网格）</translation>
        </message>
    </context>
    <context>
        <name>IntakePanel</name>
        <message>
            <source>Channel</source>
            <translation>渠道</translation>
        </message>
        <message>
            <source>x, y · lon, lat · cell code · component id · place</source>
            <translation>x, y · 经度, 纬度 · 网格编码 · 部件编码 · 地名</translation>
        </message>
        <message>
            <source>Take the point from map clicks</source>
            <translation>点击地图取点</translation>
        </message>
        <message>
            <source>Place</source>
            <translation>位置</translation>
        </message>
        <message>
            <source>Type a code or part of a name…</source>
            <translation>输入编码或名称的一部分…</translation>
        </message>
        <message>
            <source>Event type</source>
            <translation>事件类型</translation>
        </message>
        <message>
            <source>Component</source>
            <translation>部件</translation>
        </message>
        <message>
            <source>Urgent (the clock runs continuously)</source>
            <translation>紧急（连续计时）</translation>
        </message>
        <message>
            <source>What the caller says, landmarks, how to reach them</source>
            <translation>来电人反映的情况、参照物、联系方式</translation>
        </message>
        <message>
            <source>Description</source>
            <translation>问题描述</translation>
        </message>
        <message>
            <source>Hotline ticket or other reference (optional)</source>
            <translation>热线工单号或其他编号（可选）</translation>
        </message>
        <message>
            <source>Reference</source>
            <translation>工单号</translation>
        </message>
        <message>
            <source>Where and who</source>
            <translation>位置与责任单位</translation>
        </message>
        <message>
            <source>Cell</source>
            <translation>网格</translation>
        </message>
        <message>
            <source>Community</source>
            <translation>社区</translation>
        </message>
        <message>
            <source>Street office</source>
            <translation>街道办事处</translation>
        </message>
        <message>
            <source>District</source>
            <translation>区</translation>
        </message>
        <message>
            <source>Supervisor</source>
            <translation>监督员</translation>
        </message>
        <message>
            <source>Responsible</source>
            <translation>责任单位</translation>
        </message>
        <message>
            <source>Open cases of this type nearby</source>
            <translation>附近同类未结案件</translation>
        </message>
        <message>
            <source>None: the report opens a new case.</source>
            <translation>无：本次上报将新建案件。</translation>
        </message>
        <message>
            <source>Not the same problem: file as a separate case</source>
            <translation>不是同一问题：单独立案</translation>
        </message>
        <message>
            <source>File report</source>
            <translation>提交上报</translation>
        </message>
        <message>
            <source>Clear</source>
            <translation>清空</translation>
        </message>
        <message>
            <source>Your role ({role}) does not take reports; the form only shows the routing.</source>
            <translation>您的角色（{role}）不受理上报；本表单仅显示派遣去向。</translation>
        </message>
        <message>
            <source>The map is still loading; try again in a moment.</source>
            <translation>地图仍在加载，请稍后再试。</translation>
        </message>
        <message>
            <source>Nothing found for “{text}”.</source>
            <translation>未找到“{text}”。</translation>
        </message>
        <message>
            <source>None: an event</source>
            <translation>无：事件类</translation>
        </message>
        <message>
            <source>{id} · {distance} m</source>
            <translation>{id} · {distance} 米</translation>
        </message>
        <message>
            <source>The component is no longer on record.</source>
            <translation>该部件已不在档案中。</translation>
        </message>
        <message>
            <source>choose the event type or a component</source>
            <translation>请选择事件类型或部件</translation>
        </message>
        <message>
            <source>{department} (owner of the component)</source>
            <translation>{department}（部件主管单位）</translation>
        </message>
        <message>
            <source>{district} itself (no department assigned)</source>
            <translation>{district}属地负责（未指定专业部门）</translation>
        </message>
        <message>
            <source>#{id} · {state} · {distance} m · {time}</source>
            <translation>#{id} · {state} · {distance} 米 · {time}</translation>
        </message>
        <message>
            <source>The report will be linked to the selected case unless it is a different problem.</source>
            <translation>除非是不同的问题，本次上报将关联到所选案件。</translation>
        </message>
        <message>
            <source>Link to case #{id}</source>
            <translation>关联到案件 #{id}</translation>
        </message>
        <message>
            <source>Click the map or type the place first.</source>
            <translation>请先点击地图或输入位置。</translation>
        </message>
        <message>
            <source>Choose the event type, or a component at fault.</source>
            <translation>请选择事件类型，或出问题的部件。</translation>
        </message>
        <message>
            <source>Filing…</source>
            <translation>正在提交…</translation>
        </message>
        <message>
            <source>Report #{id} linked to case #{original}.</source>
            <translation>上报 #{id} 已关联到案件 #{original}。</translation>
        </message>
        <message>
            <source>Case #{id} opened in cell {cell}; responsible: {who}.</source>
            <translation>案件 #{id} 已在网格 {cell} 立项；责任单位：{who}。</translation>
        </message>
        <message>
            <source>the district</source>
            <translation>属地区</translation>
        </message>
        <message>
            <source>The district node holds it until the centre confirms.</source>
            <translation>区级节点暂存，待市中心确认。</translation>
        </message>
    </context>
    <context>
        <name>IntakeTools</name>
        <message>
            <source>Intake</source>
            <translation>受理</translation>
        </message>
        <message>
            <source>Dashboard</source>
            <translation>统计分析</translation>
        </message>
        <message>
            <source>Case #{id} is on record.</source>
            <translation>案件 #{id} 已登记。</translation>
        </message>
        <message>
            <source>Report #{id} is linked to case #{original}.</source>
            <translation>上报 #{id} 已关联到案件 #{original}。</translation>
        </message>
    </context>
    <context>
        <name>LandUses</name>
        <message>
            <source>Residential</source>
            <translation>居住</translation>
        </message>
        <message>
            <source>Commercial</source>
            <translation>商业</translation>
        </message>
        <message>
            <source>Mixed use</source>
            <translation>混合</translation>
        </message>
        <message>
            <source>Industrial</source>
            <translation>工业</translation>
        </message>
        <message>
            <source>Park</source>
            <translation>公园</translation>
        </message>
        <message>
            <source>Waterfront</source>
            <translation>滨水</translation>
        </message>
        <message>
            <source>Campus</source>
            <translation>校园</translation>
        </message>
    </context>
    <context>
        <name>LayersPanel</name>
        <message>
            <source>District boundaries</source>
            <translation>区界</translation>
        </message>
        <message>
            <source>Street boundaries</source>
            <translation>街道界</translation>
        </message>
        <message>
            <source>Community boundaries</source>
            <translation>社区界</translation>
        </message>
        <message>
            <source>Area names</source>
            <translation>区域名称</translation>
        </message>
        <message>
            <source>Main roads</source>
            <translation>主干道路</translation>
        </message>
        <message>
            <source>Grid cells</source>
            <translation>单元网格</translation>
        </message>
        <message>
            <source>Colour cells by</source>
            <translation>网格着色</translation>
        </message>
        <message>
            <source>Components</source>
            <translation>部件</translation>
        </message>
        <message>
            <source>Cameras</source>
            <translation>摄像头</translation>
        </message>
        <message>
            <source>Fields of view (zoomed in)</source>
            <translation>视场（放大后显示）</translation>
        </message>
        <message>
            <source>Supervisors</source>
            <translation>监督员</translation>
        </message>
        <message>
            <source>Sirens and audible circles</source>
            <translation>警报器及可闻范围</translation>
        </message>
        <message>
            <source>Siren coverage and gaps</source>
            <translation>警报覆盖与盲区</translation>
        </message>
        <message>
            <source>Shelters by load</source>
            <translation>人防工程（按负荷）</translation>
        </message>
        <message>
            <source>Evacuation flows</source>
            <translation>疏散流向</translation>
        </message>
        <message>
            <source>Incidents, cordons and dispatched units</source>
            <translation>事件、警戒圈和出动队伍</translation>
        </message>
        <message>
            <source>Open cases</source>
            <translation>在办案件</translation>
        </message>
        <message>
            <source>Map layers</source>
            <translation>地图图层</translation>
        </message>
        <message>
            <source>Everyday city management</source>
            <translation>日常城管</translation>
        </message>
        <message>
            <source>Areas</source>
            <translation>行政区域</translation>
        </message>
        <message>
            <source>Unit grid</source>
            <translation>单元网格</translation>
        </message>
        <message>
            <source>State</source>
            <translation>状态</translation>
        </message>
        <message>
            <source>All types</source>
            <translation>全部类型</translation>
        </message>
        <message>
            <source>Zoom in to see each component's symbol.</source>
            <translation>放大地图可查看每个部件的符号。</translation>
        </message>
        <message>
            <source>Field</source>
            <translation>外业</translation>
        </message>
        <message>
            <source>Civil air defence</source>
            <translation>人民防空</translation>
        </message>
        <message>
            <source>Emergency rescue</source>
            <translation>应急救援</translation>
        </message>
        <message>
            <source>Overdue (red, ringed in its state's colour)</source>
            <translation>超时（红色，外圈为所处阶段的颜色）</translation>
        </message>
        <message>
            <source>Urgent (star)</source>
            <translation>紧急（星形）</translation>
        </message>
        <message>
            <source>No data yet</source>
            <translation>暂无数据</translation>
        </message>
        <message>
            <source>One colour per patch</source>
            <translation>每个责任区一种颜色</translation>
        </message>
    </context>
    <context>
        <name>LinkStatusLabel</name>
        <message>
            <source>Link to {node} up since {time} · queue {queue}</source>
            <translation>与 {node} 的链路自 {time} 起正常 · 队列 {queue}</translation>
        </message>
        <message>
            <source>Link to {node} DOWN for {duration} · queue {queue}</source>
            <translation>与 {node} 的链路已中断 {duration} · 队列 {queue}</translation>
        </message>
        <message>
            <source>State channel: {state}</source>
            <translation>状态通道：{state}</translation>
        </message>
        <message>
            <source>Failover pair: {nodes}</source>
            <translation>双机热备：{nodes}</translation>
        </message>
        <message>
            <source>Command channel: {state}</source>
            <translation>指令通道：{state}</translation>
        </message>
        <message>
            <source>Replica at sequence {seq}</source>
            <translation>本地副本序号 {seq}</translation>
        </message>
        <message>
            <source>1 command queued at the node for the centre</source>
            <translation>节点上有 1 条指令排队等待发往市中心</translation>
        </message>
        <message>
            <source>{count} commands queued at the node for the centre</source>
            <translation>节点上有 {count} 条指令排队等待发往市中心</translation>
        </message>
        <message>
            <source>Last error: {error}</source>
            <translation>最近错误：{error}</translation>
        </message>
        <message>
            <source>{s} s</source>
            <translation>{s} 秒</translation>
        </message>
        <message>
            <source>{m} min {s} s</source>
            <translation>{m} 分 {s} 秒</translation>
        </message>
        <message>
            <source>{h} h {m} min</source>
            <translation>{h} 小时 {m} 分</translation>
        </message>
        <message>
            <source>up</source>
            <translation>正常</translation>
        </message>
        <message>
            <source>down</source>
            <translation>中断</translation>
        </message>
    </context>
    <context>
        <name>LoginDialog</name>
        <message>
            <source>Unknown login {login}.</source>
            <translation>未知的登录名 {login}。</translation>
        </message>
        <message>
            <source>{login} has no password yet: ask the administrator to set one.</source>
            <translation>{login} 尚未设置密码：请联系管理员设置。</translation>
        </message>
        <message>
            <source>{login} is locked after 5 failed log-ins, until {time}.</source>
            <translation>{login} 连续 5 次登录失败，已锁定至 {time}。</translation>
        </message>
        <message>
            <source>{login} is a role several people hold: log in with your own login.</source>
            <translation>{login} 是多人担任的角色：请用您本人的登录名登录。</translation>
        </message>
        <message>
            <source>Wrong password ({n} of 5 failed log-ins in a row; the 5th locks the login for 60 s).</source>
            <translation>密码错误（已连续失败 {n}/5 次；第 5 次将锁定该登录名 60 秒）。</translation>
        </message>
        <message>
            <source>Log-in refused: {reason}</source>
            <translation>登录被拒绝：{reason}</translation>
        </message>
        <message>
            <source>Sanwei · log in</source>
            <translation>三位一体 · 登录</translation>
        </message>
        <message>
            <source>Log in to the command console</source>
            <translation>登录指挥平台</translation>
        </message>
        <message>
            <source>Your role decides what this console offers; everything you do is recorded with your login.</source>
            <translation>您的角色决定本席位提供的功能；您的每项操作都将以您的账号记录。</translation>
        </message>
        <message>
            <source>Login</source>
            <translation>登录名</translation>
        </message>
        <message>
            <source>Password</source>
            <translation>密码</translation>
        </message>
        <message>
            <source>Enter your login.</source>
            <translation>请输入登录名。</translation>
        </message>
        <message>
            <source>Log in</source>
            <translation>登录</translation>
        </message>
        <message>
            <source>Quit</source>
            <translation>退出</translation>
        </message>
    </context>
    <context>
        <name>MainWindow</name>
        <message>
            <source>Sanwei · City Command</source>
            <translation>三位一体 · 城市指挥</translation>
        </message>
        <message>
            <source>Command bar</source>
            <translation>指挥工具栏</translation>
        </message>
        <message>
            <source>Sanwei City Command</source>
            <translation>三位一体 城市综合指挥</translation>
        </message>
        <message>
            <source>EXERCISES  {key}</source>
            <translation>演练导调  {key}</translation>
        </message>
        <message>
            <source>The exercise controller page: the MSEL, the exercise clock, injects and notes ({key})</source>
            <translation>演练导调页：演练脚本、演练时钟、注入与记录（{key}）</translation>
        </message>
        <message>
            <source>Find a case, cell, component…</source>
            <translation>查找案件、网格、部件…</translation>
        </message>
        <message>
            <source>Find a case number, a cell code, a component id, a camera or an area's name</source>
            <translation>按案件号、网格编码、部件编码、摄像头或区域名称查找</translation>
        </message>
        <message>
            <source>Loading the city…</source>
            <translation>正在加载城市数据…</translation>
        </message>
        <message>
            <source>Orders waiting for a second person (two-person rule)</source>
            <translation>等待第二人确认的指令（双人规则）</translation>
        </message>
        <message>
            <source>The city could not be loaded: {error}</source>
            <translation>城市数据加载失败：{error}</translation>
        </message>
        <message>
            <source>Switch to {mode} ({key})</source>
            <translation>切换到{mode}（{key}）</translation>
        </message>
        <message>
            <source>Your role ({role}) may not take the city out of {mode}.</source>
            <translation>您的角色（{role}）无权使城市退出{mode}。</translation>
        </message>
        <message>
            <source>Your role ({role}) may not switch the city to {mode}.</source>
            <translation>您的角色（{role}）无权将城市切换到{mode}。</translation>
        </message>
        <message>
            <source>Mode switch cancelled.</source>
            <translation>已取消模式切换。</translation>
        </message>
        <message>
            <source>Switched to {mode}; recorded as journal event {seq}.</source>
            <translation>已切换到{mode}，记入日志第 {seq} 号事件。</translation>
        </message>
        <message>
            <source>Order {id} waits for a second person until {time}: they confirm it with their own password in the order's dialog.</source>
            <translation>指令 {id} 等待第二人确认，截止 {time}：第二人在指令对话框中以本人密码确认。</translation>
        </message>
        <message>
            <source>The switch failed: {reason}</source>
            <translation>切换失败：{reason}</translation>
        </message>
        <message>
            <source>since {time} · by {actor}</source>
            <translation>自 {time} 起 · 切换人 {actor}</translation>
        </message>
        <message>
            <source>normal operations</source>
            <translation>正常运行</translation>
        </message>
        <message>
            <source>Sanwei · {mode}</source>
            <translation>三位一体 · {mode}</translation>
        </message>
        <message>
            <source>previewing the {mode} page; the city is not switched</source>
            <translation>正在预览{mode}页面；城市模式未切换</translation>
        </message>
        <message>
            <source>Nothing found for “{text}”.</source>
            <translation>未找到“{text}”。</translation>
        </message>
        <message>
            <source>{actor} switched the city to {mode}.</source>
            <translation>{actor} 已将城市切换到{mode}。</translation>
        </message>
        <message>
            <source>The waiting orders could not be read: {error}</source>
            <translation>无法读取待确认指令：{error}</translation>
        </message>
        <message>
            <source>Orders waiting: {n}</source>
            <translation>待确认指令：{n}</translation>
        </message>
        <message>
            <source>No orders waiting</source>
            <translation>无待确认指令</translation>
        </message>
        <message>
            <source>Order {id} confirmed by {login}: {what}.</source>
            <translation>指令 {id} 已由 {login} 确认：{what}。</translation>
        </message>
        <message>
            <source>Order {id} refused by {login}: {what}.</source>
            <translation>指令 {id} 已被 {login} 拒绝：{what}。</translation>
        </message>
        <message>
            <source>Journal unreachable: {error}</source>
            <translation>无法读取日志：{error}</translation>
        </message>
        <message>
            <source>Journal #{seq} · live</source>
            <translation>日志 #{seq} · 实时</translation>
        </message>
    </context>
    <context>
        <name>MapPanel</name>
        <message>
            <source>Cell {code} · {community} · {people} residents</source>
            <translation>网格 {code} · {community} · 常住 {people} 人</translation>
        </message>
        <message>
            <source>Component {id} · {type} · {state}</source>
            <translation>部件 {id} · {type} · {state}</translation>
        </message>
        <message>
            <source>Camera {id} · {name} · {status}</source>
            <translation>摄像头 {id} · {name} · {status}</translation>
        </message>
        <message>
            <source>Supervisor {code} · {name}</source>
            <translation>监督员 {code} · {name}</translation>
        </message>
    </context>
    <context>
        <name>Measures</name>
        <message>
            <source>too few: under {n} problems</source>
            <translation>过少：不足 {n} 件</translation>
        </message>
        <message>
            <source>Residents per cell</source>
            <translation>每网格常住人口</translation>
        </message>
        <message>
            <source>people</source>
            <translation>人</translation>
        </message>
        <message>
            <source>Daytime population per cell</source>
            <translation>每网格日间人口</translation>
        </message>
        <message>
            <source>Residents per km²</source>
            <translation>人口密度</translation>
        </message>
        <message>
            <source>people/km²</source>
            <translation>人/平方公里</translation>
        </message>
        <message>
            <source>Components per cell</source>
            <translation>每网格部件数</translation>
        </message>
        <message>
            <source>components</source>
            <translation>个</translation>
        </message>
        <message>
            <source>Open cases</source>
            <translation>未结案件</translation>
        </message>
        <message>
            <source>cases</source>
            <translation>件</translation>
        </message>
        <message>
            <source>Overdue cases</source>
            <translation>超期案件</translation>
        </message>
        <message>
            <source>Open cases per 1,000 people</source>
            <translation>每千人未结案件</translation>
        </message>
        <message>
            <source>Supervisor patches</source>
            <translation>监督员责任区</translation>
        </message>
        <message>
            <source>Supervisor coverage: public-first share</source>
            <translation>监督员巡查覆盖：公众先报占比</translation>
        </message>
    </context>
    <context>
        <name>Modes</name>
        <message>
            <source>City management</source>
            <translation>城市管理</translation>
        </message>
        <message>
            <source>Civil air defence</source>
            <translation>人民防空</translation>
        </message>
        <message>
            <source>Emergency rescue</source>
            <translation>应急抢险</translation>
        </message>
        <message>
            <source>CITY</source>
            <translation>城管</translation>
        </message>
        <message>
            <source>AIR DEFENCE</source>
            <translation>人防</translation>
        </message>
        <message>
            <source>EMERGENCY</source>
            <translation>应急</translation>
        </message>
        <message>
            <source>CITY MANAGEMENT · PEACETIME</source>
            <translation>城管·平时</translation>
        </message>
        <message>
            <source>CIVIL AIR DEFENCE · WARTIME</source>
            <translation>人防·战时</translation>
        </message>
    </context>
    <context>
        <name>MomentBox</name>
        <message>
            <source>Show</source>
            <translation>显示</translation>
        </message>
        <message>
            <source>Draw the cases that were open at this moment, in their state then</source>
            <translation>显示此时刻未结的案件及其当时的状态</translation>
        </message>
        <message>
            <source>Now</source>
            <translation>现在</translation>
        </message>
        <message>
            <source>Back to the live cases</source>
            <translation>回到实时案件</translation>
        </message>
        <message>
            <source>Cases: live</source>
            <translation>案件：实时</translation>
        </message>
        <message>
            <source>Cases open at {at}: {count} (the map shows that moment)</source>
            <translation>{at} 未结案件：{count} 件（地图显示该时刻）</translation>
        </message>
    </context>
    <context>
        <name>MselTable</name>
        <message>
            <source>No.</source>
            <translation>序号</translation>
        </message>
        <message>
            <source>Time</source>
            <translation>时间</translation>
        </message>
        <message>
            <source>Kind</source>
            <translation>种类</translation>
        </message>
        <message>
            <source>To</source>
            <translation>发给</translation>
        </message>
        <message>
            <source>Message</source>
            <translation>内容</translation>
        </message>
        <message>
            <source>Expected action</source>
            <translation>预期行动</translation>
        </message>
        <message>
            <source>Within</source>
            <translation>时限</translation>
        </message>
        <message>
            <source>State</source>
            <translation>状态</translation>
        </message>
        <message>
            <source>Met</source>
            <translation>达标</translation>
        </message>
        <message>
            <source>Who acted</source>
            <translation>处置人</translation>
        </message>
        <message>
            <source>Response</source>
            <translation>响应</translation>
        </message>
        <message>
            <source>Expected within, in minutes of exercise time</source>
            <translation>预期完成时限，以演练时间分钟计</translation>
        </message>
        <message>
            <source>Minutes of exercise time from delivery to the action</source>
            <translation>从发出到处置所用的演练时间（分钟）</translation>
        </message>
        <message>
            <source>met</source>
            <translation>达标</translation>
        </message>
        <message>
            <source>missed</source>
            <translation>未达标</translation>
        </message>
    </context>
    <context>
        <name>OpenIncidentForm</name>
        <message>
            <source>Open an incident</source>
            <translation>开启事件</translation>
        </message>
        <message>
            <source>Pick on map</source>
            <translation>地图选点</translation>
        </message>
        <message>
            <source>Draw area</source>
            <translation>绘制区域</translation>
        </message>
        <message>
            <source>Draw inner cordon</source>
            <translation>绘制内警戒圈</translation>
        </message>
        <message>
            <source>Draw outer cordon</source>
            <translation>绘制外警戒圈</translation>
        </message>
        <message>
            <source>Clear drawing</source>
            <translation>清除绘制</translation>
        </message>
        <message>
            <source>Short title (optional)</source>
            <translation>简短标题（可选）</translation>
        </message>
        <message>
            <source>Commander (default: you)</source>
            <translation>指挥官（默认：本人）</translation>
        </message>
        <message>
            <source>Exercise (a drill, not a real incident)</source>
            <translation>演练（不是真实事件）</translation>
        </message>
        <message>
            <source>Open incident</source>
            <translation>开启事件</translation>
        </message>
        <message>
            <source>case no.</source>
            <translation>案件编号</translation>
        </message>
        <message>
            <source>Escalate case</source>
            <translation>升级案件</translation>
        </message>
        <message>
            <source>Type</source>
            <translation>类型</translation>
        </message>
        <message>
            <source>Level</source>
            <translation>级别</translation>
        </message>
        <message>
            <source>Location (X, Y)</source>
            <translation>位置（X, Y）</translation>
        </message>
        <message>
            <source>Or draw</source>
            <translation>或绘制</translation>
        </message>
        <message>
            <source>Cordons inner / outer (m)</source>
            <translation>警戒圈 内／外（米）</translation>
        </message>
        <message>
            <source>Title</source>
            <translation>标题</translation>
        </message>
        <message>
            <source>Commander</source>
            <translation>指挥官</translation>
        </message>
        <message>
            <source>Or escalate</source>
            <translation>或升级案件</translation>
        </message>
        <message>
            <source>area</source>
            <translation>区域</translation>
        </message>
        <message>
            <source>inner cordon</source>
            <translation>内警戒圈</translation>
        </message>
        <message>
            <source>outer cordon</source>
            <translation>外警戒圈</translation>
        </message>
        <message>
            <source>{what} ({n} corners)</source>
            <translation>{what}（{n} 个顶点）</translation>
        </message>
        <message>
            <source>Drawn: {parts}</source>
            <translation>已绘制：{parts}</translation>
        </message>
        <message>
            <source>The drawn area's centre is the site; picking a point replaces the area.</source>
            <translation>已绘制区域的中心即为事发地点；在地图上选点将取代该区域。</translation>
        </message>
        <message>
            <source>Enter the number of the case to escalate.</source>
            <translation>请输入要升级的案件编号。</translation>
        </message>
    </context>
    <context>
        <name>OrderTexts</name>
        <message>
            <source>Switch the city to {mode} mode</source>
            <translation>将城市切换到{mode}模式</translation>
        </message>
        <message>
            <source>all districts</source>
            <translation>全部城区</translation>
        </message>
        <message>
            <source>Sound the {signal} signal in {where}</source>
            <translation>在{where}鸣放{signal}信号</translation>
        </message>
        <message>
            <source>this login</source>
            <translation>该登录名</translation>
        </message>
        <message>
            <source>Unknown login {login}.</source>
            <translation>未知登录名 {login}。</translation>
        </message>
        <message>
            <source>{login} has no password yet: ask the administrator to set one.</source>
            <translation>{login} 尚未设置密码：请联系管理员设置。</translation>
        </message>
        <message>
            <source>Wrong password for {login}: {n} failed tries in a row; after {max} the login is locked for {s} s.</source>
            <translation>{login} 密码错误：已连续失败 {n} 次；满 {max} 次将锁定该登录名 {s} 秒。</translation>
        </message>
        <message>
            <source>{login} is locked after {max} failed tries, until {time}.</source>
            <translation>{login} 因连续失败 {max} 次已被锁定，至 {time}。</translation>
        </message>
        <message>
            <source>{login} gave this order: a second person must confirm it, not the one who asked.</source>
            <translation>{login} 是下达该指令的人：须由第二人确认，下令者本人不能确认。</translation>
        </message>
        <message>
            <source>{login} is not authorised to decide on this order: {detail}</source>
            <translation>{login} 无权决定该指令：{detail}</translation>
        </message>
        <message>
            <source>Order {id} expired at {time} before anyone confirmed it: nothing was done. Ask again.</source>
            <translation>指令 {id} 已于 {time} 过期，期间无人确认：未执行任何操作。请重新下达。</translation>
        </message>
        <message>
            <source>Order {id} was already decided: {detail}</source>
            <translation>指令 {id} 已有决定：{detail}</translation>
        </message>
        <message>
            <source>Refused: {detail}</source>
            <translation>被拒绝：{detail}</translation>
        </message>
        <message>
            <source>{s} s</source>
            <translation>{s} 秒</translation>
        </message>
        <message>
            <source>expired</source>
            <translation>已过期</translation>
        </message>
    </context>
    <context>
        <name>PendingOrdersView</name>
        <message>
            <source>Orders waiting for a second person</source>
            <translation>等待第二人确认的指令</translation>
        </message>
        <message>
            <source>Under the two-person rule a wartime switch or an air-raid alarm takes effect only when a second authorised person confirms it with their own password within 60 s.</source>
            <translation>双人规则下，战时切换或防空警报须由第二名有权人员在 60 秒内以本人密码确认后方可生效。</translation>
        </message>
        <message>
            <source>No.</source>
            <translation>编号</translation>
        </message>
        <message>
            <source>Order</source>
            <translation>指令</translation>
        </message>
        <message>
            <source>Given by</source>
            <translation>下令人</translation>
        </message>
        <message>
            <source>Reason</source>
            <translation>原因</translation>
        </message>
        <message>
            <source>Time left</source>
            <translation>剩余时间</translation>
        </message>
        <message>
            <source>No order is waiting for a second person.</source>
            <translation>没有等待第二人确认的指令。</translation>
        </message>
        <message>
            <source>Confirm or refuse…</source>
            <translation>确认或拒绝…</translation>
        </message>
        <message>
            <source>Refresh</source>
            <translation>刷新</translation>
        </message>
        <message>
            <source>Close</source>
            <translation>关闭</translation>
        </message>
    </context>
    <context>
        <name>RankingTableModel</name>
        <message>
            <source>#</source>
            <translation>序号</translation>
        </message>
        <message>
            <source>Name</source>
            <translation>名称</translation>
        </message>
        <message>
            <source>Score</source>
            <translation>得分</translation>
        </message>
        <message>
            <source>Grade</source>
            <translation>等级</translation>
        </message>
        <message>
            <source>Closure</source>
            <translation>结案率</translation>
        </message>
        <message>
            <source>On time</source>
            <translation>按期率</translation>
        </message>
    </context>
    <context>
        <name>ResourcesPanel</name>
        <message>
            <source>What the incident type needs</source>
            <translation>按事件类型所需</translation>
        </message>
        <message>
            <source>Any capability</source>
            <translation>任意能力</translation>
        </message>
        <message>
            <source>Instructions for the unit (optional)</source>
            <translation>给队伍的指令（可选）</translation>
        </message>
        <message>
            <source>Dispatch</source>
            <translation>派遣</translation>
        </message>
        <message>
            <source>Your role ({role}) may not dispatch units: only {allowed}.</source>
            <translation>您的角色（{role}）不能派遣队伍：只有{allowed}可以。</translation>
        </message>
        <message>
            <source>En route</source>
            <translation>出发</translation>
        </message>
        <message>
            <source>On scene</source>
            <translation>到场</translation>
        </message>
        <message>
            <source>Done</source>
            <translation>完成</translation>
        </message>
        <message>
            <source>Cancel</source>
            <translation>取消</translation>
        </message>
        <message>
            <source>Need</source>
            <translation>所需</translation>
        </message>
        <message>
            <source>Nearest suitable units (straight-line ETA)</source>
            <translation>最近的合适队伍（按直线距离估算到达时间）</translation>
        </message>
        <message>
            <source>Task board</source>
            <translation>任务看板</translation>
        </message>
        <message>
            <source>{n} overdue</source>
            <translation>{n} 项超时</translation>
        </message>
    </context>
    <context>
        <name>Roles</name>
        <message>
            <source>Supervisor</source>
            <translation>监督员</translation>
        </message>
        <message>
            <source>Operator</source>
            <translation>受理员</translation>
        </message>
        <message>
            <source>Shift leader</source>
            <translation>值班长</translation>
        </message>
        <message>
            <source>Dispatcher</source>
            <translation>派遣员</translation>
        </message>
        <message>
            <source>Department</source>
            <translation>专业部门</translation>
        </message>
        <message>
            <source>Commander</source>
            <translation>指挥长</translation>
        </message>
        <message>
            <source>Civil-defence officer</source>
            <translation>人防干部</translation>
        </message>
        <message>
            <source>Drill coordinator</source>
            <translation>演练导调员</translation>
        </message>
        <message>
            <source>Open311 application</source>
            <translation>Open311 应用</translation>
        </message>
    </context>
    <context>
        <name>SeedStages</name>
        <message>
            <source>land and river</source>
            <translation>陆地与河流</translation>
        </message>
        <message>
            <source>grid cells</source>
            <translation>单元网格</translation>
        </message>
        <message>
            <source>districts</source>
            <translation>区</translation>
        </message>
        <message>
            <source>streets and communities</source>
            <translation>街道与社区</translation>
        </message>
        <message>
            <source>cell codes</source>
            <translation>网格编码</translation>
        </message>
        <message>
            <source>roads and land use</source>
            <translation>道路与用地</translation>
        </message>
        <message>
            <source>supervisors</source>
            <translation>监督员</translation>
        </message>
        <message>
            <source>cameras</source>
            <translation>摄像头</translation>
        </message>
        <message>
            <source>components</source>
            <translation>部件</translation>
        </message>
        <message>
            <source>organisation</source>
            <translation>组织机构</translation>
        </message>
        <message>
            <source>departments and types</source>
            <translation>部门与类型</translation>
        </message>
        <message>
            <source>supervisors and cells</source>
            <translation>监督员与网格</translation>
        </message>
        <message>
            <source>journal</source>
            <translation>日志</translation>
        </message>
        <message>
            <source>a month of cases: loading the city</source>
            <translation>一个月的案件：读取城市</translation>
        </message>
        <message>
            <source>a month of cases</source>
            <translation>一个月的案件</translation>
        </message>
        <message>
            <source>done</source>
            <translation>完成</translation>
        </message>
    </context>
    <context>
        <name>Seeding</name>
        <message>
            <source>Generating the demo city: {stage}</source>
            <translation>正在生成演示城市：{stage}</translation>
        </message>
        <message>
            <source>Generating the demo city of Harbin (first run only)…</source>
            <translation>正在生成哈尔滨演示城市（仅首次运行）…</translation>
        </message>
        <message>
            <source>Sanwei · first run</source>
            <translation>三位一体 · 首次运行</translation>
        </message>
    </context>
    <context>
        <name>SightList</name>
        <message>
            <source>Camera</source>
            <translation>摄像头</translation>
        </message>
        <message>
            <source>Distance</source>
            <translation>距离</translation>
        </message>
        <message>
            <source>Bearing</source>
            <translation>方位</translation>
        </message>
        <message>
            <source>Status</source>
            <translation>状态</translation>
        </message>
        <message>
            <source>Double-click a camera to open the video wall with it first</source>
            <translation>双击摄像头，在视频墙首格播放</translation>
        </message>
        <message>
            <source>Video wall</source>
            <translation>视频墙</translation>
        </message>
        <message>
            <source>Play video</source>
            <translation>播放视频</translation>
        </message>
        <message>
            <source>Cameras that see {subject} ({n})</source>
            <translation>能看到{subject}的摄像头（{n}）</translation>
        </message>
        <message>
            <source>No camera sees {subject}</source>
            <translation>没有摄像头能看到{subject}</translation>
        </message>
        <message>
            <source>{n} m</source>
            <translation>{n} 米</translation>
        </message>
    </context>
    <context>
        <name>SirensPanel</name>
        <message>
            <source>Siren coverage is being computed…</source>
            <translation>正在计算警报覆盖…</translation>
        </message>
        <message>
            <source>District</source>
            <translation>区</translation>
        </message>
        <message>
            <source>Name</source>
            <translation>名称</translation>
        </message>
        <message>
            <source>Population</source>
            <translation>人口</translation>
        </message>
        <message>
            <source>Covered</source>
            <translation>已覆盖</translation>
        </message>
        <message>
            <source>Uncovered</source>
            <translation>未覆盖</translation>
        </message>
        <message>
            <source>Sirens in service</source>
            <translation>在用警报器</translation>
        </message>
        <message>
            <source>Sirens out</source>
            <translation>停用警报器</translation>
        </message>
        <message>
            <source>Sirens</source>
            <translation>警报器</translation>
        </message>
        <message>
            <source>Siren</source>
            <translation>警报器</translation>
        </message>
        <message>
            <source>Status</source>
            <translation>状态</translation>
        </message>
        <message>
            <source>Audible radius (m)</source>
            <translation>可闻半径（米）</translation>
        </message>
        <message>
            <source>Set siren status</source>
            <translation>设置警报器状态</translation>
        </message>
        <message>
            <source>Suggest new sirens</source>
            <translation>建议新增警报器</translation>
        </message>
        <message>
            <source>Suggest sites</source>
            <translation>推荐位置</translation>
        </message>
        <message>
            <source>Rank</source>
            <translation>序号</translation>
        </message>
        <message>
            <source>Cell</source>
            <translation>网格</translation>
        </message>
        <message>
            <source>People gained</source>
            <translation>新增覆盖人数</translation>
        </message>
        <message>
            <source>Covered after</source>
            <translation>新增后覆盖</translation>
        </message>
        <message>
            <source>{covered} of {population} people ({share:.1f}%) hear a siren; {sirens} of {total} sirens in service; {cells} populated cells not fully covered.</source>
            <translation>{population} 人中有 {covered} 人（{share:.1f}%）能听到警报；{total} 台警报器中 {sirens} 台在用；{cells} 个有人口的网格未完全覆盖。</translation>
        </message>
        <message>
            <source>Only the civil-defence officer may mark a siren faulty or back in service; you are logged in as {role}.</source>
            <translation>只有人防干部可以将警报器标为故障或恢复使用；您当前的登录角色是{role}。</translation>
        </message>
        <message>
            <source>Select a siren in the list.</source>
            <translation>请在列表中选择一个警报器。</translation>
        </message>
        <message>
            <source>Siren {id} is in district {district}; you act for district {own}.</source>
            <translation>警报器 {id} 位于 {district} 区；您代表 {own} 区。</translation>
        </message>
        <message>
            <source>Saving the siren's status…</source>
            <translation>正在保存警报器状态…</translation>
        </message>
        <message>
            <source>Siren {id} is already {status}: choose another status.</source>
            <translation>警报器 {id} 已是“{status}”：请选择其他状态。</translation>
        </message>
        <message>
            <source>Siren {id}: {before} → {after}. The coverage is being recomputed.</source>
            <translation>警报器 {id}：{before} → {after}。正在重新计算覆盖。</translation>
        </message>
        <message>
            <source>The siren's status was not changed: {reason}</source>
            <translation>警报器状态未能更改：{reason}</translation>
        </message>
        <message>
            <source>{n} new sirens would cover {gain} more people (shown as stars on the map).</source>
            <translation>新增 {n} 台警报器可多覆盖 {gain} 人（地图上以星号标出）。</translation>
        </message>
        <message>
            <source>No site would cover anyone new.</source>
            <translation>没有能新增覆盖人口的位置。</translation>
        </message>
    </context>
    <context>
        <name>StartExerciseDialog</name>
        <message>
            <source>Start an exercise</source>
            <translation>开始演练</translation>
        </message>
        <message>
            <source>Built-in scenario</source>
            <translation>内置想定</translation>
        </message>
        <message>
            <source>MSEL file (.csv, .xlsx, .yaml)</source>
            <translation>演练脚本文件（.csv、.xlsx、.yaml）</translation>
        </message>
        <message>
            <source>{title} · {n} injects · {duration}</source>
            <translation>{title} · {n} 条注入 · {duration}</translation>
        </message>
        <message>
            <source>A .csv, .xlsx or .yaml file</source>
            <translation>一个 .csv、.xlsx 或 .yaml 文件</translation>
        </message>
        <message>
            <source>Browse…</source>
            <translation>浏览…</translation>
        </message>
        <message>
            <source> × wall clock</source>
            <translation> 倍实时</translation>
        </message>
        <message>
            <source>Scenario time to start at; earlier injects are skipped.</source>
            <translation>从想定的该时刻开始；之前的注入将被跳过。</translation>
        </message>
        <message>
            <source>Start</source>
            <translation>开始</translation>
        </message>
        <message>
            <source>Cancel</source>
            <translation>取消</translation>
        </message>
        <message>
            <source>Speed</source>
            <translation>速度</translation>
        </message>
        <message>
            <source>Start at</source>
            <translation>起始时刻</translation>
        </message>
        <message>
            <source>Open a MSEL</source>
            <translation>打开演练脚本</translation>
        </message>
    </context>
    <context>
        <name>SummaryStrip</name>
        <message>
            <source>Covered by sirens</source>
            <translation>警报覆盖人口</translation>
        </message>
        <message>
            <source>Shelter places</source>
            <translation>掩蔽位</translation>
        </message>
        <message>
            <source>Unplaced people</source>
            <translation>未安置人员</translation>
        </message>
        <message>
            <source>Sirens out of service</source>
            <translation>停用警报器</translation>
        </message>
        <message>
            <source>{n} new sirens suggested: {gains}</source>
            <translation>建议新增 {n} 台警报器：{gains}</translation>
        </message>
    </context>
    <context>
        <name>TaskStatuses</name>
        <message>
            <source>Assigned</source>
            <translation>已派遣</translation>
        </message>
        <message>
            <source>En route</source>
            <translation>途中</translation>
        </message>
        <message>
            <source>On scene</source>
            <translation>到场</translation>
        </message>
        <message>
            <source>Done</source>
            <translation>完成</translation>
        </message>
        <message>
            <source>Cancelled</source>
            <translation>已取消</translation>
        </message>
    </context>
    <context>
        <name>VideoTile</name>
        <message>
            <source>No frame yet</source>
            <translation>尚无画面</translation>
        </message>
        <message>
            <source>Last frame {time}</source>
            <translation>最后一帧 {time}</translation>
        </message>
        <message>
            <source>No camera</source>
            <translation>无摄像头</translation>
        </message>
        <message>
            <source>No camera in this tile</source>
            <translation>此画面未分配摄像头</translation>
        </message>
        <message>
            <source>Connecting</source>
            <translation>连接中</translation>
        </message>
        <message>
            <source>Playing</source>
            <translation>播放中</translation>
        </message>
        <message>
            <source>Failed</source>
            <translation>失败</translation>
        </message>
        <message>
            <source>Stopped</source>
            <translation>已停止</translation>
        </message>
        <message>
            <source>retry {n} in {s} s</source>
            <translation>{s} 秒后第 {n} 次重试</translation>
        </message>
        <message>
            <source>not retried</source>
            <translation>不再重试</translation>
        </message>
        <message>
            <source>Connecting to {url}…</source>
            <translation>正在连接 {url}…</translation>
        </message>
    </context>
    <context>
        <name>VideoTools</name>
        <message>
            <source>this point</source>
            <translation>此处</translation>
        </message>
        <message>
            <source>case {id}</source>
            <translation>案件 {id}</translation>
        </message>
        <message>
            <source>the centre of cell {code}</source>
            <translation>网格 {code} 的中心</translation>
        </message>
        <message>
            <source>component {id}</source>
            <translation>部件 {id}</translation>
        </message>
        <message>
            <source>{n} m · {compass}</source>
            <translation>{n} 米 · {compass}</translation>
        </message>
        <message>
            <source>Cameras that see {subject}</source>
            <translation>能看到{subject}的摄像头</translation>
        </message>
        <message>
            <source>Cameras that see incident {id}</source>
            <translation>能看到事件 {id} 的摄像头</translation>
        </message>
        <message>
            <source>Camera {id}</source>
            <translation>摄像头 {id}</translation>
        </message>
        <message>
            <source>Video wall</source>
            <translation>视频墙</translation>
        </message>
    </context>
    <context>
        <name>VideoWall</name>
        <message>
            <source>Sanwei · video wall</source>
            <translation>三位一体 · 视频墙</translation>
        </message>
        <message>
            <source>Video wall</source>
            <translation>视频墙</translation>
        </message>
        <message>
            <source>{n} tiles</source>
            <translation>{n} 画面</translation>
        </message>
        <message>
            <source>1 tile</source>
            <translation>1 画面</translation>
        </message>
        <message>
            <source>Double-click a camera to play it in the selected tile.</source>
            <translation>双击摄像头，在选中的画面中播放。</translation>
        </message>
        <message>
            <source>Starting the demo stream server…</source>
            <translation>正在启动演示视频流服务…</translation>
        </message>
    </context>
</TS>
