<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN">
<context>
    <name>ActionPanel</name>
    <message>
        <source>Actions</source>
        <translation>操作</translation>
    </message>
    <message>
        <source>sign in</source>
        <translation>登录</translation>
    </message>
    <message>
        <source>an open shift</source>
        <translation>开班</translation>
    </message>
    <message>
        <source>a card on the reader</source>
        <translation>将卡放在读卡器上</translation>
    </message>
    <message>
        <source>Needs: {0}</source>
        <translation>需要先：{0}</translation>
    </message>
</context>
<context>
    <name>AdminPage</name>
    <message>
        <source>The administrator</source>
        <translation>管理员</translation>
    </message>
    <message>
        <source>The administrator creates the clerks&apos; and supervisors&apos; accounts.</source>
        <translation>由管理员创建柜员和主管的账户。</translation>
    </message>
    <message>
        <source>&amp;Username:</source>
        <translation>用户名(&amp;U)：</translation>
    </message>
    <message>
        <source>&amp;Name:</source>
        <translation>姓名(&amp;N)：</translation>
    </message>
    <message>
        <source>&amp;Password:</source>
        <translation>密码(&amp;P)：</translation>
    </message>
    <message>
        <source>&amp;Repeat password:</source>
        <translation>重复密码(&amp;R)：</translation>
    </message>
    <message>
        <source>“{0}” cannot be a username.</source>
        <translation>“{0}”不能用作用户名。</translation>
    </message>
    <message>
        <source>Use 2-32 lower-case letters, digits, &apos;.&apos;, &apos;_&apos; or &apos;-&apos;.</source>
        <translation>请使用 2-32 个小写字母、数字、“.”、“_”或“-”。</translation>
    </message>
    <message>
        <source>Choose another password.</source>
        <translation>请换一个密码。</translation>
    </message>
    <message>
        <source>At least 8 characters, not a common one, not containing the username.</source>
        <translation>至少 8 个字符，不能是常用密码，不能包含用户名。</translation>
    </message>
    <message>
        <source>The two passwords differ.</source>
        <translation>两次输入的密码不一致。</translation>
    </message>
    <message>
        <source>Type the same password twice.</source>
        <translation>请输入两次相同的密码。</translation>
    </message>
</context>
<context>
    <name>ApprovalDialog</name>
    <message>
        <source>Supervisor approval</source>
        <translation>主管授权</translation>
    </message>
    <message>
        <source>A supervisor must approve this:</source>
        <translation>此操作需主管授权：</translation>
    </message>
    <message>
        <source>The supervisor types their own username and password here.</source>
        <translation>请主管在此输入本人的用户名和密码。</translation>
    </message>
    <message>
        <source>&amp;Supervisor:</source>
        <translation>主管(&amp;S)：</translation>
    </message>
    <message>
        <source>&amp;Password:</source>
        <translation>密码(&amp;P)：</translation>
    </message>
    <message>
        <source>&amp;Approve</source>
        <translation>授权(&amp;A)</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <source>Type the supervisor&apos;s username and password.</source>
        <translation>请输入主管的用户名和密码。</translation>
    </message>
    <message>
        <source>Checking the password…</source>
        <translation>正在核对密码…</translation>
    </message>
    <message>
        <source>Checking the supervisor&apos;s password</source>
        <translation>正在核对主管密码</translation>
    </message>
</context>
<context>
    <name>CardPanel</name>
    <message>
        <source>Top-up</source>
        <translation>充值</translation>
    </message>
    <message>
        <source>Purchase</source>
        <translation>消费</translation>
    </message>
    <message>
        <source>Compound purchase</source>
        <translation>复合消费</translation>
    </message>
    <message>
        <source>City Union (CU)</source>
        <translation>城市联盟（CU）</translation>
    </message>
    <message>
        <source>T-Union (TU)</source>
        <translation>交通联合（TU）</translation>
    </message>
    <message>
        <source>Time</source>
        <translation>时间</translation>
    </message>
    <message>
        <source>Kind</source>
        <translation>类型</translation>
    </message>
    <message>
        <source>Amount</source>
        <translation>金额</translation>
    </message>
    <message>
        <source>Terminal</source>
        <translation>终端</translation>
    </message>
    <message>
        <source>Card number</source>
        <translation>卡号</translation>
    </message>
    <message>
        <source>Card family</source>
        <translation>卡系</translation>
    </message>
    <message>
        <source>City</source>
        <translation>城市</translation>
    </message>
    <message>
        <source>Card type</source>
        <translation>卡类型</translation>
    </message>
    <message>
        <source>Valid</source>
        <translation>有效期</translation>
    </message>
    <message>
        <source>Holder</source>
        <translation>持卡人</translation>
    </message>
    <message>
        <source>ID number</source>
        <translation>证件号码</translation>
    </message>
    <message>
        <source>Card</source>
        <translation>卡</translation>
    </message>
    <message>
        <source>Balance</source>
        <translation>余额</translation>
    </message>
    <message>
        <source>Last transactions on the card</source>
        <translation>卡内最近交易</translation>
    </message>
    <message>
        <source>Put a card on the reader</source>
        <translation>请将卡放在读卡器上</translation>
    </message>
    <message>
        <source>Reading the card… keep it on the reader</source>
        <translation>正在读卡…请勿移开卡片</translation>
    </message>
    <message>
        <source>Balance unreadable</source>
        <translation>余额无法读取</translation>
    </message>
    <message>
        <source>Card OK</source>
        <translation>卡正常</translation>
    </message>
    <message>
        <source>BLOCKED — do not serve; check the loss report</source>
        <translation>已锁定 — 请勿办理业务；请核查挂失记录</translation>
    </message>
    <message>
        <source>EXPIRED — offer an exchange</source>
        <translation>已过期 — 可为其办理换卡</translation>
    </message>
    <message>
        <source>Not yet valid</source>
        <translation>未生效</translation>
    </message>
    <message>
        <source>(anonymous)</source>
        <translation>（不记名）</translation>
    </message>
    <message>
        <source>Top-up (F2) not possible: {0}</source>
        <translation>不能充值（F2）：{0}</translation>
    </message>
</context>
<context>
    <name>CenterPage</name>
    <message>
        <source>Clearing center and printer</source>
        <translation>清算中心和打印机</translation>
    </message>
    <message>
        <source>Leave the center empty to work offline; it can be set later in the settings.</source>
        <translation>清算中心留空则离线工作；以后可在设置中配置。</translation>
    </message>
    <message>
        <source>e.g. 192.168.1.50:9100 or /dev/usb/lp0</source>
        <translation>例如 192.168.1.50:9100 或 /dev/usb/lp0</translation>
    </message>
    <message>
        <source>Clearing &amp;center address:</source>
        <translation>清算中心地址(&amp;C)：</translation>
    </message>
    <message>
        <source>&amp;Enrolment code:</source>
        <translation>注册码(&amp;E)：</translation>
    </message>
    <message>
        <source>Receipt &amp;printer:</source>
        <translation>小票打印机(&amp;P)：</translation>
    </message>
    <message>
        <source>“{0}” is not the address of a clearing center.</source>
        <translation>“{0}”不是清算中心地址。</translation>
    </message>
    <message>
        <source>Type it as https://host[:port], as the issuer gave it; or leave it empty.</source>
        <translation>请按发卡机构提供的格式输入 https://主机[:端口]，或留空。</translation>
    </message>
    <message>
        <source>An enrolment code needs the center&apos;s address.</source>
        <translation>注册码需要配合清算中心地址使用。</translation>
    </message>
    <message>
        <source>Type the address too, or leave the code empty.</source>
        <translation>请同时输入地址，或将注册码留空。</translation>
    </message>
    <message>
        <source>Enrolling with the center needs its one-time enrolment code.</source>
        <translation>向清算中心注册需要一次性注册码。</translation>
    </message>
    <message>
        <source>Type the code the issuer gave you, or leave the address empty.</source>
        <translation>请输入发卡机构提供的注册码，或将地址留空。</translation>
    </message>
    <message>
        <source>The enrolment code is malformed.</source>
        <translation>注册码格式不正确。</translation>
    </message>
    <message>
        <source>Type it exactly as the issuer gave it.</source>
        <translation>请严格按发卡机构提供的内容输入。</translation>
    </message>
</context>
<context>
    <name>CounterStatusBar</name>
    <message>
        <source>SAM: {0}</source>
        <translation>SAM：{0}</translation>
    </message>
    <message>
        <source>none</source>
        <translation>无</translation>
    </message>
    <message>
        <source>Counter time {0}</source>
        <translation>柜台时间 {0}</translation>
    </message>
    <message>
        <source>no card</source>
        <translation>无卡</translation>
    </message>
    <message>
        <source>card present</source>
        <translation>有卡</translation>
    </message>
    <message>
        <source>reading…</source>
        <translation>读卡中…</translation>
    </message>
    <message>
        <source>unavailable</source>
        <translation>不可用</translation>
    </message>
    <message>
        <source>Reader: {0} ({1})</source>
        <translation>读卡器：{0}（{1}）</translation>
    </message>
    <message>
        <source>Center: offline (no center configured)</source>
        <translation>清算中心：离线（未配置清算中心）</translation>
    </message>
    <message>
        <source>{0} records waiting, oldest {1}</source>
        <translation>{0} 条记录待上传，最早 {1}</translation>
    </message>
    <message>
        <source>connecting…</source>
        <translation>连接中…</translation>
    </message>
    <message>
        <source>online</source>
        <translation>在线</translation>
    </message>
    <message>
        <source>offline</source>
        <translation>离线</translation>
    </message>
    <message>
        <source>refused</source>
        <translation>已拒绝</translation>
    </message>
    <message>
        <source>Center: {0}</source>
        <translation>清算中心：{0}</translation>
    </message>
    <message>
        <source>{0} pending ({1})</source>
        <translation>{0} 条待上传（{1}）</translation>
    </message>
    <message>
        <source>oldest {0}</source>
        <translation>最早 {0}</translation>
    </message>
    <message>
        <source>nothing pending</source>
        <translation>无待上传</translation>
    </message>
    <message>
        <source>blacklist v{0}</source>
        <translation>黑名单 v{0}</translation>
    </message>
    <message>
        <source>ALARM: {0}</source>
        <translation>告警：{0}</translation>
    </message>
    <message>
        <source>Last successful sync: {0}</source>
        <translation>上次成功同步：{0}</translation>
    </message>
    <message>
        <source>DISK SPACE LOW</source>
        <translation>磁盘空间不足</translation>
    </message>
    <message>
        <source>MIRROR LOST</source>
        <translation>流水镜像失效</translation>
    </message>
    <message>
        <source>Nobody signed in</source>
        <translation>未登录</translation>
    </message>
    <message>
        <source>clerk</source>
        <translation>柜员</translation>
    </message>
    <message>
        <source>supervisor</source>
        <translation>主管</translation>
    </message>
    <message>
        <source>admin</source>
        <translation>管理员</translation>
    </message>
    <message>
        <source>Operator: {0} ({1})</source>
        <translation>操作员：{0}（{1}）</translation>
    </message>
    <message>
        <source>No open shift</source>
        <translation>未开班</translation>
    </message>
    <message>
        <source>Shift {0}: cash counted — close it</source>
        <translation>班次 {0}：现金已实点，请结班</translation>
    </message>
    <message>
        <source>Shift {0} since {1}</source>
        <translation>班次 {0}，开始于 {1}</translation>
    </message>
    <message>
        <source>{0} min</source>
        <translation>{0} 分钟</translation>
    </message>
    <message>
        <source>{0} h {1} min</source>
        <translation>{0} 小时 {1} 分钟</translation>
    </message>
    <message>
        <source>{0} d {1} h</source>
        <translation>{0} 天 {1} 小时</translation>
    </message>
</context>
<context>
    <name>DemoPanel</name>
    <message>
        <source>Demo: virtual cards</source>
        <translation>演示：虚拟卡</translation>
    </message>
    <message>
        <source>Ta&amp;p card (F9)</source>
        <translation>放卡 (F9)(&amp;P)</translation>
    </message>
    <message>
        <source>Re&amp;move card (F10)</source>
        <translation>移走卡 (F10)(&amp;M)</translation>
    </message>
</context>
<context>
    <name>DevicePage</name>
    <message>
        <source>This counter</source>
        <translation>本柜台</translation>
    </message>
    <message>
        <source>The identities the issuer assigned to this counter, and its keys.</source>
        <translation>发卡机构为本柜台分配的标识及其密钥。</translation>
    </message>
    <message>
        <source>&amp;Device id:</source>
        <translation>设备 ID(&amp;D)：</translation>
    </message>
    <message>
        <source>&amp;Terminal id (12 hex digits):</source>
        <translation>终端 ID（12 位十六进制）(&amp;T)：</translation>
    </message>
    <message>
        <source>Keystore &amp;passphrase:</source>
        <translation>密钥库口令(&amp;P)：</translation>
    </message>
    <message>
        <source>Repeat p&amp;assphrase:</source>
        <translation>再次输入口令(&amp;A)：</translation>
    </message>
    <message>
        <source>The device id is missing or malformed.</source>
        <translation>设备 ID 缺失或格式不正确。</translation>
    </message>
    <message>
        <source>Type it as the issuer gave it: 1-32 letters, digits, &apos;-&apos; or &apos;_&apos;.</source>
        <translation>请按发卡机构提供的内容输入：1-32 个字母、数字、“-”或“_”。</translation>
    </message>
    <message>
        <source>The terminal id must be 12 hexadecimal digits.</source>
        <translation>终端 ID 必须是 12 位十六进制数字。</translation>
    </message>
    <message>
        <source>Type it as the issuer gave it, e.g. 0102030405AB.</source>
        <translation>请按发卡机构提供的内容输入，例如 0102030405AB。</translation>
    </message>
    <message>
        <source>The keystore passphrase is too short.</source>
        <translation>密钥库口令太短。</translation>
    </message>
    <message>
        <source>Use at least 10 characters; keep it where the supervisor can find it.</source>
        <translation>请至少使用 10 个字符，并保存在主管能找到的地方。</translation>
    </message>
    <message>
        <source>The two passphrases differ.</source>
        <translation>两次输入的口令不一致。</translation>
    </message>
    <message>
        <source>Type the same passphrase twice.</source>
        <translation>请输入两次相同的口令。</translation>
    </message>
</context>
<context>
    <name>ErrorPresenter</name>
    <message>
        <source>City card counter</source>
        <translation>一卡通柜台</translation>
    </message>
</context>
<context>
    <name>ExchangeDialog</name>
    <message>
        <source>Exchange a damaged card</source>
        <translation>损坏卡换卡</translation>
    </message>
    <message>
        <source>&amp;Read the damaged card</source>
        <translation>读取损坏卡(&amp;R)</translation>
    </message>
    <message>
        <source>&amp;Exchange (supervisor)…</source>
        <translation>换卡（需主管授权）(&amp;E)…</translation>
    </message>
    <message>
        <source>1. The damaged card</source>
        <translation>1. 损坏的卡</translation>
    </message>
    <message>
        <source>Put the damaged card on the reader and read it.</source>
        <translation>请将损坏的卡放在读卡器上并读卡。</translation>
    </message>
    <message>
        <source>Card:</source>
        <translation>卡：</translation>
    </message>
    <message>
        <source>Balance to move:</source>
        <translation>待转移余额：</translation>
    </message>
    <message>
        <source>Exchange fee:</source>
        <translation>换卡手续费：</translation>
    </message>
    <message>
        <source>Fee paid &amp;by:</source>
        <translation>手续费支付方式(&amp;B)：</translation>
    </message>
    <message>
        <source>&amp;Load onto the new card</source>
        <translation>圈存到新卡(&amp;L)</translation>
    </message>
    <message>
        <source>2. The new card</source>
        <translation>2. 新卡</translation>
    </message>
    <message>
        <source>Close</source>
        <translation>关闭</translation>
    </message>
    <message>
        <source>Card exchange is not available on this counter.</source>
        <translation>本柜台不提供换卡业务。</translation>
    </message>
    <message>
        <source>&amp;Continue with card {serial}</source>
        <translation>继续处理卡 {serial}(&amp;C)</translation>
    </message>
    <message>
        <source>Reading the journal</source>
        <translation>正在读取流水日志</translation>
    </message>
    <message>
        <source>The exchange of card {serial} is not finished.</source>
        <translation>卡 {serial} 的换卡尚未完成。</translation>
    </message>
    <message>
        <source>Reading the damaged card</source>
        <translation>正在读取损坏的卡</translation>
    </message>
    <message>
        <source>If the card cannot be read at all, it is not exchanged: report it lost (with the holder&apos;s ID) and replace it after the waiting period.</source>
        <translation>如果卡完全无法读取，则不能换卡：请凭持卡人证件办理挂失，等待期满后再补卡。</translation>
    </message>
    <message>
        <source>Check the balance with the customer. Exchanging takes it off this card and blocks the card; a supervisor approves.</source>
        <translation>请与顾客核对余额。换卡将扣出此卡余额并锁定此卡，需主管授权。</translation>
    </message>
    <message>
        <source>Exchange damaged card {serial}: move its balance {amount} to a new card (fee {fee}).</source>
        <translation>损坏卡 {serial} 换卡：将余额 {amount} 转移到新卡（手续费 {fee}）。</translation>
    </message>
    <message>
        <source>Keep the damaged card on the reader…</source>
        <translation>请将损坏的卡保持在读卡器上…</translation>
    </message>
    <message>
        <source>Taking the balance off the damaged card</source>
        <translation>正在扣出损坏卡的余额</translation>
    </message>
    <message>
        <source>Continuing the exchange</source>
        <translation>正在继续换卡</translation>
    </message>
    <message>
        <source>Loading the balance onto the new card</source>
        <translation>正在将余额圈存到新卡</translation>
    </message>
    <message>
        <source>Keep the card on the reader…</source>
        <translation>请将卡保持在读卡器上…</translation>
    </message>
</context>
<context>
    <name>FirstRunWizard</name>
    <message>
        <source>Set up this counter</source>
        <translation>设置本柜台</translation>
    </message>
</context>
<context>
    <name>FlowDialog</name>
    <message>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <source>Prin&amp;t the receipt</source>
        <translation>打印小票(&amp;T)</translation>
    </message>
    <message>
        <source>Internal error: the operation did not finish normally.</source>
        <translation>内部错误：操作未正常完成。</translation>
    </message>
    <message>
        <source>Nothing was lost: the journal keeps every step. Tell the supervisor.</source>
        <translation>没有丢失任何数据：流水日志记录了每一步。请告知主管。</translation>
    </message>
    <message>
        <source>Please wait: the operation is still running.</source>
        <translation>请稍候：操作仍在进行中。</translation>
    </message>
</context>
<context>
    <name>GreyRecordsDialog</name>
    <message>
        <source>Grey records</source>
        <translation>灰记录</translation>
    </message>
    <message>
        <source>A grey record is a card operation that was interrupted (the card left the reader at the wrong moment) and whose result the counter cannot know yet. Tapping the card settles it. Keep the customer&apos;s payment record; if the card does not come back, the clearing center settles it.</source>
        <translation>灰记录是指被中断的卡操作（卡在错误的时刻离开了读卡器），柜台暂时无法确定其结果。再次刷该卡即可处理。请保留顾客的付款凭证；如果该卡不再出现，将由清算中心处理。</translation>
    </message>
    <message>
        <source>&amp;Refresh</source>
        <translation>刷新(&amp;R)</translation>
    </message>
    <message>
        <source>Close</source>
        <translation>关闭</translation>
    </message>
    <message>
        <source>Reading the journal</source>
        <translation>正在读取流水日志</translation>
    </message>
    <message>
        <source>No grey records: every interrupted card operation is settled.</source>
        <translation>没有灰记录：所有中断的卡操作均已处理。</translation>
    </message>
    <message>
        <source>{count} grey record(s), {amount} in all. Oldest: {oldest}.</source>
        <translation>共 {count} 条灰记录，合计 {amount}。最早：{oldest}。</translation>
    </message>
</context>
<context>
    <name>GreyRecordsModel</name>
    <message>
        <source>Journal no.</source>
        <translation>流水号</translation>
    </message>
    <message>
        <source>Time</source>
        <translation>时间</translation>
    </message>
    <message>
        <source>What</source>
        <translation>业务</translation>
    </message>
    <message>
        <source>Card</source>
        <translation>卡</translation>
    </message>
    <message>
        <source>Amount</source>
        <translation>金额</translation>
    </message>
    <message>
        <source>Paid by</source>
        <translation>支付方式</translation>
    </message>
    <message>
        <source>Operator</source>
        <translation>操作员</translation>
    </message>
    <message>
        <source>Shift</source>
        <translation>班次</translation>
    </message>
    <message>
        <source>Top-up</source>
        <translation>充值</translation>
    </message>
    <message>
        <source>Purchase</source>
        <translation>消费</translation>
    </message>
    <message>
        <source>Card return</source>
        <translation>退卡</translation>
    </message>
    <message>
        <source>Card exchange</source>
        <translation>换卡</translation>
    </message>
</context>
<context>
    <name>HolderModel</name>
    <message>
        <source>Card number</source>
        <translation>卡号</translation>
    </message>
    <message>
        <source>Holder</source>
        <translation>持卡人</translation>
    </message>
    <message>
        <source>ID number ends</source>
        <translation>证件号尾号</translation>
    </message>
    <message>
        <source>Phone ends</source>
        <translation>手机尾号</translation>
    </message>
</context>
<context>
    <name>JournalDialog</name>
    <message>
        <source>Journal: verify and export</source>
        <translation>流水日志：校验与导出</translation>
    </message>
    <message>
        <source>Verify</source>
        <translation>校验</translation>
    </message>
    <message>
        <source>Re-checks every record of the journal: nothing missing, nothing changed, signatures and totals right.</source>
        <translation>重新检查流水日志的每一条记录：无缺失、无篡改，签名和合计正确。</translation>
    </message>
    <message>
        <source>&amp;Verify the journal</source>
        <translation>校验流水日志(&amp;V)</translation>
    </message>
    <message>
        <source>Export for auditors</source>
        <translation>导出供审计</translation>
    </message>
    <message>
        <source>Writes the whole journal with its signatures into a new, empty folder. The auditor checks it with: citycard-counter journal verify --archive FOLDER</source>
        <translation>将完整的流水日志及其签名写入一个新的空文件夹。审计人员用以下命令校验：citycard-counter journal verify --archive FOLDER</translation>
    </message>
    <message>
        <source>&amp;Browse…</source>
        <translation>浏览(&amp;B)…</translation>
    </message>
    <message>
        <source>&amp;Export</source>
        <translation>导出(&amp;E)</translation>
    </message>
    <message>
        <source>&amp;Folder:</source>
        <translation>文件夹(&amp;F)：</translation>
    </message>
    <message>
        <source>Close</source>
        <translation>关闭</translation>
    </message>
    <message>
        <source>Verifying the journal</source>
        <translation>正在校验流水日志</translation>
    </message>
    <message>
        <source>OK: the journal is intact. {records} records (no. {first} to {last}) and {checkpoints} signed checkpoints checked; nothing is missing or changed.</source>
        <translation>正常：流水日志完整。已检查 {records} 条记录（第 {first} 至 {last} 号）和 {checkpoints} 个已签名检查点，无缺失、无篡改。</translation>
    </message>
    <message>
        <source>The journal verified OK.</source>
        <translation>流水日志校验通过。</translation>
    </message>
    <message>
        <source>BROKEN: the journal has {count} problem(s). The first is at {where}: {reason}.</source>
        <translation>已损坏：流水日志有 {count} 处问题。第一处位于 {where}：{reason}。</translation>
    </message>
    <message>
        <source>The journal failed verification.</source>
        <translation>流水日志校验未通过。</translation>
    </message>
    <message>
        <source>Stop taking money at this counter and call the supervisor. Export the journal for the auditors now: nothing is deleted or repaired here.</source>
        <translation>请立即停止在本柜台收款，并联系主管。请马上导出流水日志供审计：此处不会删除或修复任何内容。</translation>
    </message>
    <message>
        <source>record no. {seq}</source>
        <translation>第 {seq} 号记录</translation>
    </message>
    <message>
        <source>checkpoint {number}</source>
        <translation>检查点 {number}</translation>
    </message>
    <message>
        <source>the journal as a whole</source>
        <translation>整个流水日志</translation>
    </message>
    <message>
        <source>Where to put the archive folder</source>
        <translation>选择归档文件夹的位置</translation>
    </message>
    <message>
        <source>Type the folder to export to.</source>
        <translation>请输入导出目标文件夹。</translation>
    </message>
    <message>
        <source>Checking the written archive</source>
        <translation>正在检查已写入的归档</translation>
    </message>
    <message>
        <source>Exporting the journal</source>
        <translation>正在导出流水日志</translation>
    </message>
    <message>
        <source>Exported {records} records and {checkpoints} checkpoints (up to no. {last}) to {folder}. Device key fingerprint {fingerprint}.</source>
        <translation>已将 {records} 条记录和 {checkpoints} 个检查点（截至第 {last} 号）导出到 {folder}。设备密钥指纹 {fingerprint}。</translation>
    </message>
    <message>
        <source>The archive was written and checks OK with its own files.</source>
        <translation>归档已写入，并已用其自带文件校验通过。</translation>
    </message>
    <message>
        <source>The archive was written, but checking it found problems: {problem}</source>
        <translation>归档已写入，但校验时发现问题：{problem}</translation>
    </message>
    <message>
        <source>Keep the archive and call the supervisor.</source>
        <translation>请保留该归档并联系主管。</translation>
    </message>
</context>
<context>
    <name>LossDialog</name>
    <message>
        <source>Loss report</source>
        <translation>挂失</translation>
    </message>
    <message>
        <source>ID number, name or card number</source>
        <translation>证件号码、姓名或卡号</translation>
    </message>
    <message>
        <source>&amp;Find</source>
        <translation>查找(&amp;F)</translation>
    </message>
    <message>
        <source>&amp;Search:</source>
        <translation>搜索(&amp;S)：</translation>
    </message>
    <message>
        <source>Find the registered holder</source>
        <translation>查找记名持卡人</translation>
    </message>
    <message>
        <source>chosen above, or typed</source>
        <translation>从上方选择或直接输入</translation>
    </message>
    <message>
        <source>from the holder&apos;s ID document</source>
        <translation>按持卡人证件填写</translation>
    </message>
    <message>
        <source>&amp;Report lost</source>
        <translation>挂失(&amp;R)</translation>
    </message>
    <message>
        <source>Report the card lost</source>
        <translation>卡片挂失</translation>
    </message>
    <message>
        <source>&amp;Card number:</source>
        <translation>卡号(&amp;C)：</translation>
    </message>
    <message>
        <source>Holder&apos;s &amp;ID number:</source>
        <translation>持卡人证件号码(&amp;I)：</translation>
    </message>
    <message>
        <source>e.g. the holder found the card</source>
        <translation>例如：持卡人已找到卡</translation>
    </message>
    <message>
        <source>Cancel the re&amp;port</source>
        <translation>解挂(&amp;P)</translation>
    </message>
    <message>
        <source>Cancel a loss report (supervisor)</source>
        <translation>解挂（需主管授权）</translation>
    </message>
    <message>
        <source>For the card number above, once the card is found.</source>
        <translation>找到卡后，为上面的卡号解挂。</translation>
    </message>
    <message>
        <source>Reaso&amp;n:</source>
        <translation>原因(&amp;N)：</translation>
    </message>
    <message>
        <source>Card {serial} of {holder} is reported lost (journal no. {seq}). It is refused at this counter from now on, blocked if it is tapped here, and is being sent to the clearing center. The holder can have it replaced from {date}. Give the holder the loss report receipt.</source>
        <translation>{holder}的卡 {serial} 已挂失（流水号 {seq}）。本柜台自即刻起拒绝受理此卡，在此刷卡时将被锁定，挂失信息正在上报清算中心。持卡人可于 {date} 起补卡。请将挂失回执交给持卡人。</translation>
    </message>
    <message>
        <source>Close</source>
        <translation>关闭</translation>
    </message>
    <message>
        <source>Type an ID number, a name or a card number to search for.</source>
        <translation>请输入要搜索的证件号码、姓名或卡号。</translation>
    </message>
    <message>
        <source>Searching</source>
        <translation>正在搜索</translation>
    </message>
    <message>
        <source>No registered holder matches “{query}”.</source>
        <translation>没有与“{query}”匹配的记名持卡人。</translation>
    </message>
    <message>
        <source>Check the spelling, or search by the ID number. An anonymous card cannot be reported lost.</source>
        <translation>请检查输入是否有误，或按证件号码搜索。不记名卡不能挂失。</translation>
    </message>
    <message>
        <source>{count} registered card(s) found. Choose one, then type the holder&apos;s ID number.</source>
        <translation>找到 {count} 张记名卡。请选择一张，然后输入持卡人证件号码。</translation>
    </message>
    <message>
        <source>Choose the card to report (search for its holder).</source>
        <translation>请选择要挂失的卡（先搜索持卡人）。</translation>
    </message>
    <message>
        <source>Type the holder&apos;s ID number from their ID document.</source>
        <translation>请按持卡人的证件输入证件号码。</translation>
    </message>
    <message>
        <source>Card {0} is not registered, or the ID number does not match its registered holder.</source>
        <translation>卡 {0} 未记名，或证件号码与其记名持卡人不符。</translation>
    </message>
    <message>
        <source>Check the holder&apos;s ID document again; do not report the card.</source>
        <translation>请再次核对持卡人证件；不要挂失此卡。</translation>
    </message>
    <message>
        <source>Report card {0} of {1} lost?</source>
        <translation>确定为{1}挂失卡 {0}？</translation>
    </message>
    <message>
        <source>It is blacklisted at once: refused at this counter, blocked when it is tapped, and sent to the clearing center now. Its balance waits {0} days, then the holder can have it moved to a replacement card. The holder gets the loss report receipt.</source>
        <translation>挂失立即生效：本柜台拒绝受理，刷卡时锁定，并立即上报清算中心。余额保留 {0} 天后，持卡人可将其转入补办的新卡。请将挂失回执交给持卡人。</translation>
    </message>
    <message>
        <source>&amp;Yes, report it lost</source>
        <translation>确认挂失(&amp;Y)</translation>
    </message>
    <message>
        <source>Checking the holder&apos;s ID number</source>
        <translation>正在核对持卡人证件号码</translation>
    </message>
    <message>
        <source>Reporting the card lost</source>
        <translation>正在挂失</translation>
    </message>
    <message>
        <source>Type or choose the card whose report is cancelled.</source>
        <translation>请输入或选择要解挂的卡。</translation>
    </message>
    <message>
        <source>Write why the report is cancelled.</source>
        <translation>请填写解挂原因。</translation>
    </message>
    <message>
        <source>Cancelling the loss report</source>
        <translation>正在解挂</translation>
    </message>
    <message>
        <source>The loss report of card {serial} is cancelled (journal no. {seq}). The card can be used again at this counter; the clearing center is told with the next sync.</source>
        <translation>卡 {serial} 已解挂（流水号 {seq}）。该卡可在本柜台重新使用；下次同步时将通知清算中心。</translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <source>&amp;Top up</source>
        <translation>充值(&amp;T)</translation>
    </message>
    <message>
        <source>City card service counter</source>
        <translation>城市一卡通服务柜台</translation>
    </message>
    <message>
        <source>&amp;Counter</source>
        <translation>柜台(&amp;C)</translation>
    </message>
    <message>
        <source>&amp;Sign in…</source>
        <translation>登录(&amp;S)…</translation>
    </message>
    <message>
        <source>T&amp;ools</source>
        <translation>工具(&amp;O)</translation>
    </message>
    <message>
        <source>Sign o&amp;ut</source>
        <translation>退出登录(&amp;U)</translation>
    </message>
    <message>
        <source>&amp;Open shift…</source>
        <translation>开班(&amp;O)…</translation>
    </message>
    <message>
        <source>&amp;Close shift…</source>
        <translation>结班(&amp;C)…</translation>
    </message>
    <message>
        <source>S&amp;ettings…</source>
        <translation>设置(&amp;E)…</translation>
    </message>
    <message>
        <source>&amp;Quit</source>
        <translation>退出(&amp;Q)</translation>
    </message>
    <message>
        <source>Unfinished top-up: card {0}, {1}. Put that card back on the reader to settle it; do not take or give back money until the counter says what happened.</source>
        <translation>未完成充值：卡 {0}，{1}。请将该卡放回读卡器以确认结果；在系统告知结果之前，请勿收款或退款。</translation>
    </message>
    <message>
        <source>Interrupted top-up</source>
        <translation>中断的充值</translation>
    </message>
    <message>
        <source>Card {0} was reported lost: it has now been blocked.</source>
        <translation>卡 {0} 已挂失：现已被锁定。</translation>
    </message>
    <message>
        <source>Card {0} is on the blacklist: refused. This counter&apos;s SAM cannot block cards of other cities.</source>
        <translation>卡 {0} 在黑名单上：拒绝受理。本柜台的 SAM 无法锁定外地卡。</translation>
    </message>
    <message>
        <source>Keep the card. Tell the person it is blocked and follow the lost-card procedure.</source>
        <translation>请扣留此卡。告知对方该卡已锁定，并按挂失卡流程处理。</translation>
    </message>
    <message>
        <source>Registered holder: {0}</source>
        <translation>记名持卡人：{0}</translation>
    </message>
    <message>
        <source>Lost card</source>
        <translation>挂失卡</translation>
    </message>
    <message>
        <source>Card exchange</source>
        <translation>换卡</translation>
    </message>
    <message>
        <source>The interrupted void of record {0} is finished.</source>
        <translation>记录 {0} 中断的撤销已完成。</translation>
    </message>
    <message>
        <source>Give back {0} ({1}).</source>
        <translation>请退还 {0}（{1}）。</translation>
    </message>
    <message>
        <source>Void</source>
        <translation>撤销</translation>
    </message>
    <message>
        <source>Sign out</source>
        <translation>退出登录</translation>
    </message>
    <message>
        <source>An operation is still running.</source>
        <translation>仍有操作正在进行。</translation>
    </message>
    <message>
        <source>Wait until it has finished, then sign out.</source>
        <translation>请等待操作完成后再退出登录。</translation>
    </message>
    <message>
        <source>Signing out</source>
        <translation>正在退出登录</translation>
    </message>
    <message>
        <source>Quit</source>
        <translation>退出</translation>
    </message>
    <message>
        <source>Wait until it has finished, then quit.</source>
        <translation>请等待操作完成后再退出。</translation>
    </message>
</context>
<context>
    <name>PassSaleDialog</name>
    <message>
        <source>Annual pass</source>
        <translation>年卡</translation>
    </message>
    <message>
        <source>No photo</source>
        <translation>无照片</translation>
    </message>
    <message>
        <source>Choose &amp;photo…</source>
        <translation>选择照片(&amp;P)…</translation>
    </message>
    <message>
        <source>&amp;Sell pass</source>
        <translation>售出年卡(&amp;S)</translation>
    </message>
    <message>
        <source>Close</source>
        <translation>关闭</translation>
    </message>
    <message>
        <source>Pass pro&amp;duct</source>
        <translation>年卡产品(&amp;D)</translation>
    </message>
    <message>
        <source>Holder&apos;s &amp;ID number</source>
        <translation>持卡人证件号码(&amp;I)</translation>
    </message>
    <message>
        <source>Pa&amp;yment</source>
        <translation>支付方式(&amp;Y)</translation>
    </message>
    <message>
        <source>The holder&apos;s photo</source>
        <translation>持卡人照片</translation>
    </message>
    <message>
        <source>Photos (*.jpg *.jpeg *.png *.bmp)</source>
        <translation>照片 (*.jpg *.jpeg *.png *.bmp)</translation>
    </message>
    <message>
        <source>Type the holder&apos;s ID number.</source>
        <translation>请输入持卡人证件号码。</translation>
    </message>
    <message>
        <source>Selling the annual pass</source>
        <translation>正在售出年卡</translation>
    </message>
    <message>
        <source>Annual pass {0} sold to card {1}: valid {2} to {3}.</source>
        <translation>年卡 {0} 已售给卡 {1}：有效期 {2} 至 {3}。</translation>
    </message>
</context>
<context>
    <name>QtPrinter</name>
    <message>
        <source>PDF files in {folder}</source>
        <translation>{folder} 中的 PDF 文件</translation>
    </message>
    <message>
        <source>the default printer</source>
        <translation>默认打印机</translation>
    </message>
    <message>
        <source>not installed on this computer</source>
        <translation>本机未安装</translation>
    </message>
</context>
<context>
    <name>ReaderPage</name>
    <message>
        <source>The card reader</source>
        <translation>读卡器</translation>
    </message>
    <message>
        <source>Choose the contactless reader the customers tap their cards on.</source>
        <translation>请选择顾客刷卡用的非接触式读卡器。</translation>
    </message>
    <message>
        <source>&amp;Look again</source>
        <translation>重新查找(&amp;L)</translation>
    </message>
    <message>
        <source>&amp;Reader:</source>
        <translation>读卡器(&amp;R)：</translation>
    </message>
    <message>
        <source>&amp;SAM slot (the PSAM&apos;s reader):</source>
        <translation>SAM卡座（PSAM所在读卡器）(&amp;S)：</translation>
    </message>
    <message>
        <source>The readers cannot be listed ({0}).</source>
        <translation>无法列出读卡器（{0}）。</translation>
    </message>
    <message>
        <source>Check that the smart-card service runs; you can type the name.</source>
        <translation>请检查智能卡服务是否在运行；也可以直接输入读卡器名称。</translation>
    </message>
    <message>
        <source>No reader found. Plug it in and press Look again, or type its name.</source>
        <translation>未找到读卡器。请插上读卡器后按“重新查找”，或直接输入其名称。</translation>
    </message>
    <message>
        <source>No reader chosen.</source>
        <translation>未选择读卡器。</translation>
    </message>
    <message>
        <source>Plug the reader in and look again.</source>
        <translation>请插上读卡器后重新查找。</translation>
    </message>
</context>
<context>
    <name>ReceiptPrinting</name>
    <message>
        <source>Printing the receipt</source>
        <translation>正在打印小票</translation>
    </message>
    <message>
        <source>Receipt No. {0} was saved as a PDF file instead: {1}</source>
        <translation>第 {0} 号小票已改为保存为 PDF 文件：{1}</translation>
    </message>
    <message>
        <source>Receipt No. {0} saved as {1}</source>
        <translation>第 {0} 号小票已保存为 {1}</translation>
    </message>
    <message>
        <source>Receipt No. {0} printed on {1}</source>
        <translation>第 {0} 号小票已在 {1} 上打印</translation>
    </message>
    <message>
        <source>Receipts</source>
        <translation>小票</translation>
    </message>
    <message>
        <source>No receipt printer is set up: receipt No. {0} was saved as a PDF file in {1}</source>
        <translation>未设置小票打印机：第 {0} 号小票已保存为 PDF 文件，位于 {1}</translation>
    </message>
    <message>
        <source>Print it from that folder. Every receipt is saved there until an admin chooses a receipt printer in Counter → Settings.</source>
        <translation>请从该文件夹打印。在管理员于“柜台 → 设置”中选择小票打印机之前，所有小票都会保存在那里。</translation>
    </message>
</context>
<context>
    <name>ReceiptView</name>
    <message>
        <source>*** COPY {n} ***</source>
        <translation>*** 副本 {n} ***</translation>
    </message>
    <message>
        <source>Terminal {terminal}, {time}</source>
        <translation>终端 {terminal}，{time}</translation>
    </message>
</context>
<context>
    <name>RefundDialog</name>
    <message>
        <source>Card return and refund</source>
        <translation>退卡退款</translation>
    </message>
    <message>
        <source>from the holder&apos;s ID document</source>
        <translation>以持卡人证件为准</translation>
    </message>
    <message>
        <source>Holder&apos;s &amp;ID number:</source>
        <translation>持卡人证件号码(&amp;I)：</translation>
    </message>
    <message>
        <source>Refund</source>
        <translation>退款</translation>
    </message>
    <message>
        <source>Card:</source>
        <translation>卡：</translation>
    </message>
    <message>
        <source>Balance on the card:</source>
        <translation>卡内余额：</translation>
    </message>
    <message>
        <source>Deposit paid back:</source>
        <translation>退还押金：</translation>
    </message>
    <message>
        <source>Return fee:</source>
        <translation>退卡手续费：</translation>
    </message>
    <message>
        <source>To pay the customer:</source>
        <translation>应付顾客：</translation>
    </message>
    <message>
        <source>Registered holder:</source>
        <translation>记名持卡人：</translation>
    </message>
    <message>
        <source>A returned card is blocked for good and can never be used again. Keep the card on the reader until the dialog says to pay.</source>
        <translation>退卡后该卡将被永久锁定，不能再使用。在对话框提示付款之前，请将卡一直放在读卡器上。</translation>
    </message>
    <message>
        <source>Read the &amp;card again</source>
        <translation>重新读卡(&amp;C)</translation>
    </message>
    <message>
        <source>&amp;Return the card</source>
        <translation>退卡(&amp;R)</translation>
    </message>
    <message>
        <source>Close</source>
        <translation>关闭</translation>
    </message>
    <message>
        <source>&amp;Finish the interrupted return</source>
        <translation>完成中断的退卡(&amp;F)</translation>
    </message>
    <message>
        <source>&amp;Approve and return…</source>
        <translation>授权并退卡(&amp;A)…</translation>
    </message>
    <message>
        <source>Reading the card</source>
        <translation>正在读卡</translation>
    </message>
    <message>
        <source>none (an anonymous card)</source>
        <translation>无（不记名卡）</translation>
    </message>
    <message>
        <source>The return of card {serial} was interrupted.</source>
        <translation>卡 {serial} 的退卡被中断。</translation>
    </message>
    <message>
        <source>Finish it now with the same card on the reader. Do not pay before.</source>
        <translation>请将同一张卡放在读卡器上，立即完成退卡。完成前请勿付款。</translation>
    </message>
    <message>
        <source>Above the limit: a supervisor must approve this refund.</source>
        <translation>超过限额：此笔退款需主管授权。</translation>
    </message>
    <message>
        <source>Check the amount with the customer, then return the card.</source>
        <translation>请与顾客核对金额，然后退卡。</translation>
    </message>
    <message>
        <source>Card {0} is registered: type the holder&apos;s ID number.</source>
        <translation>卡 {0} 为记名卡：请输入持卡人证件号码。</translation>
    </message>
    <message>
        <source>Only the registered holder may return it; check their ID document.</source>
        <translation>只有记名持卡人本人可以退卡；请核对其证件。</translation>
    </message>
    <message>
        <source>The ID number does not match the card&apos;s registered holder.</source>
        <translation>证件号码与此卡的记名持卡人不符。</translation>
    </message>
    <message>
        <source>Check the ID document again; do not return the card.</source>
        <translation>请再次核对证件；不要办理退卡。</translation>
    </message>
    <message>
        <source>Checking the holder&apos;s ID number</source>
        <translation>正在核对持卡人证件号码</translation>
    </message>
    <message>
        <source>an anonymous card</source>
        <translation>不记名卡</translation>
    </message>
    <message>
        <source>Return card {0} ({1}) and pay the customer {2} in cash?</source>
        <translation>确定为卡 {0}（{1}）办理退卡，并付给客户现金 {2}？</translation>
    </message>
    <message>
        <source>Balance {0} + deposit {1} − fee {2}. The card is blocked for good and can never be used again.</source>
        <translation>卡内余额 {0} + 押金 {1} − 手续费 {2}。退卡后此卡将被永久锁定，不能再使用。</translation>
    </message>
    <message>
        <source>&amp;Yes, return the card and pay</source>
        <translation>确认退卡并付款(&amp;Y)</translation>
    </message>
    <message>
        <source>Return card {serial} and pay back {amount}.</source>
        <translation>退卡 {serial}，退还 {amount}。</translation>
    </message>
    <message>
        <source>Keep the card on the reader…</source>
        <translation>请将卡保持在读卡器上…</translation>
    </message>
    <message>
        <source>Returning the card</source>
        <translation>正在退卡</translation>
    </message>
    <message>
        <source>Finishing the return</source>
        <translation>正在完成退卡</translation>
    </message>
    <message>
        <source>This card has no interrupted return to finish.</source>
        <translation>此卡没有需要完成的中断退卡。</translation>
    </message>
    <message>
        <source>Put the card whose return was interrupted on the reader.</source>
        <translation>请将退卡中断的卡放在读卡器上。</translation>
    </message>
    <message>
        <source>Card {serial} is returned and blocked. Pay the customer {amount} in cash now, and give them the receipt.</source>
        <translation>卡 {serial} 已退卡并锁定。请现在以现金向顾客支付 {amount}，并将小票交给顾客。</translation>
    </message>
</context>
<context>
    <name>ReplacementDialog</name>
    <message>
        <source>Replace a lost card</source>
        <translation>补办挂失卡</translation>
    </message>
    <message>
        <source>the number of the card reported lost</source>
        <translation>已挂失卡的卡号</translation>
    </message>
    <message>
        <source>C&amp;heck</source>
        <translation>核查(&amp;H)</translation>
    </message>
    <message>
        <source>Type the lost card&apos;s number and check it.</source>
        <translation>请输入挂失卡的卡号并核查。</translation>
    </message>
    <message>
        <source>Lost card</source>
        <translation>挂失卡</translation>
    </message>
    <message>
        <source>&amp;Lost card number:</source>
        <translation>挂失卡号(&amp;L)：</translation>
    </message>
    <message>
        <source>&amp;Replace onto the new card</source>
        <translation>补卡到新卡(&amp;R)</translation>
    </message>
    <message>
        <source>New card</source>
        <translation>新卡</translation>
    </message>
    <message>
        <source>Put a new card from stock on the reader, then replace. The lost card&apos;s balance as settled by the clearing center is loaded onto it.</source>
        <translation>请将一张库存新卡放在读卡器上，然后补卡。清算中心结算的挂失卡余额将转入新卡。</translation>
    </message>
    <message>
        <source>Replacement fee:</source>
        <translation>补卡手续费：</translation>
    </message>
    <message>
        <source>Fee paid &amp;by:</source>
        <translation>手续费支付方式(&amp;B)：</translation>
    </message>
    <message>
        <source>Close</source>
        <translation>关闭</translation>
    </message>
    <message>
        <source>Type the number of the lost card.</source>
        <translation>请输入挂失卡的卡号。</translation>
    </message>
    <message>
        <source>Checking the lost card</source>
        <translation>正在核查挂失卡</translation>
    </message>
    <message>
        <source>This card cannot be replaced (see below).</source>
        <translation>此卡无法补卡（见下文）。</translation>
    </message>
    <message>
        <source>Card {serial} is still in its waiting period: it can be replaced from {date}, in {days} day(s). The wait lets every counter report what the lost card spent.</source>
        <translation>卡 {serial} 仍在等待期内：可于 {date} 起补卡，还需 {days} 天。设置等待期是为了让各柜台上报该挂失卡的消费记录。</translation>
    </message>
    <message>
        <source>The waiting period is not over yet.</source>
        <translation>等待期尚未结束。</translation>
    </message>
    <message>
        <source>Ask the holder to come back from {date}.</source>
        <translation>请持卡人于 {date} 起再来办理。</translation>
    </message>
    <message>
        <source>Card {serial} can be replaced now (since {date}).</source>
        <translation>卡 {serial} 现在可以补卡（自 {date} 起）。</translation>
    </message>
    <message>
        <source>Put a new card from stock on the reader, then press Replace.</source>
        <translation>请将一张库存新卡放在读卡器上，然后按“补卡到新卡”。</translation>
    </message>
    <message>
        <source>Check the lost card first.</source>
        <translation>请先核查挂失卡。</translation>
    </message>
    <message>
        <source>Asking the clearing center for the settled balance</source>
        <translation>正在向清算中心查询清算余额</translation>
    </message>
    <message>
        <source>Keep the new card on the reader…</source>
        <translation>请将新卡保持在读卡器上…</translation>
    </message>
    <message>
        <source>Replacing the lost card</source>
        <translation>正在补卡</translation>
    </message>
    <message>
        <source>Card {lost} is replaced by card {new}: {moved} was moved onto it and its balance is {balance}. Fee {fee} paid by {method}. Give the holder the new card and the receipt.</source>
        <translation>挂失卡 {lost} 已补卡为新卡 {new}：已转入 {moved}，新卡余额 {balance}。手续费 {fee}，支付方式：{method}。请将新卡和小票交给持卡人。</translation>
    </message>
</context>
<context>
    <name>ReportTools</name>
    <message>
        <source>Preparing the report</source>
        <translation>正在生成报表</translation>
    </message>
</context>
<context>
    <name>ReportsDialog</name>
    <message>
        <source>Reports</source>
        <translation>报表</translation>
    </message>
    <message>
        <source>Which report</source>
        <translation>选择报表</translation>
    </message>
    <message>
        <source>&amp;Shift report</source>
        <translation>班次报表(&amp;S)</translation>
    </message>
    <message>
        <source>&amp;Daily report (every shift of one day)</source>
        <translation>日报表（当天所有班次）(&amp;D)</translation>
    </message>
    <message>
        <source>Looking for shifts…</source>
        <translation>正在查找班次…</translation>
    </message>
    <message>
        <source>Da&amp;y:</source>
        <translation>日期(&amp;Y)：</translation>
    </message>
    <message>
        <source>Shi&amp;ft:</source>
        <translation>班次(&amp;F)：</translation>
    </message>
    <message>
        <source>You can read the report of any shift, and the daily report.</source>
        <translation>您可以查看任何班次的报表和日报表。</translation>
    </message>
    <message>
        <source>You can read the reports of your own shifts. A supervisor can read every shift&apos;s report and the daily report.</source>
        <translation>您可以查看自己班次的报表。主管可以查看所有班次的报表和日报表。</translation>
    </message>
    <message>
        <source>Reading a report changes nothing: no money moves and nothing is journaled.</source>
        <translation>查看报表不会改变任何数据：不涉及资金，也不记入流水日志。</translation>
    </message>
    <message>
        <source>&amp;Preview and print…</source>
        <translation>预览并打印(&amp;P)…</translation>
    </message>
    <message>
        <source>Sa&amp;ve as PDF…</source>
        <translation>另存为 PDF(&amp;V)…</translation>
    </message>
    <message>
        <source>Export &amp;CSV…</source>
        <translation>导出 CSV(&amp;C)…</translation>
    </message>
    <message>
        <source>Close</source>
        <translation>关闭</translation>
    </message>
    <message>
        <source>Looking for shifts</source>
        <translation>正在查找班次</translation>
    </message>
    <message>
        <source>There are no shifts on this counter yet.</source>
        <translation>本柜台还没有任何班次。</translation>
    </message>
    <message>
        <source>open</source>
        <translation>进行中</translation>
    </message>
    <message>
        <source>Shift {0} · {1} ({2}) · {3} – {4}</source>
        <translation>班次 {0} · {1}（{2}）· {3} – {4}</translation>
    </message>
    <message>
        <source>Choose a shift or a day first.</source>
        <translation>请先选择班次或日期。</translation>
    </message>
    <message>
        <source>Only a supervisor can read the report of another operator&apos;s shift.</source>
        <translation>只有主管才能查看其他操作员班次的报表。</translation>
    </message>
    <message>
        <source>Preparing the report</source>
        <translation>正在生成报表</translation>
    </message>
    <message>
        <source>PDF files (*.pdf)</source>
        <translation>PDF 文件 (*.pdf)</translation>
    </message>
    <message>
        <source>Saving the report as PDF</source>
        <translation>正在将报表保存为 PDF</translation>
    </message>
    <message>
        <source>CSV files (*.csv)</source>
        <translation>CSV 文件 (*.csv)</translation>
    </message>
    <message>
        <source>Exporting the report as CSV</source>
        <translation>正在将报表导出为 CSV</translation>
    </message>
    <message>
        <source>Save the report</source>
        <translation>保存报表</translation>
    </message>
    <message>
        <source>The report could not be saved to {0} ({1}).</source>
        <translation>报表无法保存到 {0}（{1}）。</translation>
    </message>
    <message>
        <source>Choose another folder; a USB stick must be plugged in and writable.</source>
        <translation>请选择其他文件夹；U 盘须已插入且可写。</translation>
    </message>
    <message>
        <source>The report was saved as {0}</source>
        <translation>报表已保存为 {0}</translation>
    </message>
</context>
<context>
    <name>ScenicPage</name>
    <message>
        <source>&amp;Entry check</source>
        <translation>入园检票(&amp;E)</translation>
    </message>
    <message>
        <source>&amp;Adult</source>
        <translation>成人(&amp;A)</translation>
    </message>
    <message>
        <source>&amp;Senior</source>
        <translation>老人(&amp;S)</translation>
    </message>
    <message>
        <source>&amp;Free</source>
        <translation>免票(&amp;F)</translation>
    </message>
    <message>
        <source>Ticket</source>
        <translation>票种</translation>
    </message>
    <message>
        <source>Count</source>
        <translation>数量</translation>
    </message>
    <message>
        <source>Price</source>
        <translation>单价</translation>
    </message>
    <message>
        <source>Amount</source>
        <translation>金额</translation>
    </message>
    <message>
        <source>Pa&amp;yment</source>
        <translation>支付方式(&amp;Y)</translation>
    </message>
    <message>
        <source>&amp;Pay</source>
        <translation>付款(&amp;P)</translation>
    </message>
    <message>
        <source>C&amp;lear basket</source>
        <translation>清空购物篮(&amp;L)</translation>
    </message>
    <message>
        <source>T&amp;ickets</source>
        <translation>售票(&amp;I)</translation>
    </message>
    <message>
        <source>C&amp;hild</source>
        <translation>儿童(&amp;H)</translation>
    </message>
    <message>
        <source>A&amp;nnual pass…</source>
        <translation>年卡(&amp;N)…</translation>
    </message>
    <message>
        <source>&amp;Top up first</source>
        <translation>先充值(&amp;T)</translation>
    </message>
    <message>
        <source>Print the &amp;visitor&apos;s receipt</source>
        <translation>打印游客小票(&amp;V)</translation>
    </message>
    <message>
        <source>exact</source>
        <translation>正好</translation>
    </message>
    <message>
        <source>Ten&amp;dered:</source>
        <translation>实收(&amp;D)：</translation>
    </message>
    <message>
        <source>&amp;Gate</source>
        <translation>闸口(&amp;G)</translation>
    </message>
    <message>
        <source>Tap a card to check its pass.</source>
        <translation>请刷卡查验年卡。</translation>
    </message>
    <message>
        <source>Total: {0}</source>
        <translation>合计：{0}</translation>
    </message>
    <message>
        <source>{0} short</source>
        <translation>还差 {0}</translation>
    </message>
    <message>
        <source>Change: {0}</source>
        <translation>找零：{0}</translation>
    </message>
    <message>
        <source>{0} tendered is less than the total {1}.</source>
        <translation>实收 {0} 少于应收合计 {1}。</translation>
    </message>
    <message>
        <source>Pay from the card</source>
        <translation>卡内余额支付</translation>
    </message>
    <message>
        <source>Take {0} from card {1}?</source>
        <translation>从卡 {1} 扣款 {0}？</translation>
    </message>
    <message>
        <source>Balance {0} → {1} after the payment ({2} tickets).</source>
        <translation>余额 {0} → 扣款后 {1}（共 {2} 张票）。</translation>
    </message>
    <message>
        <source>&amp;Yes, take it from the card</source>
        <translation>确认从卡内扣款(&amp;Y)</translation>
    </message>
    <message>
        <source>Selling tickets</source>
        <translation>正在售票</translation>
    </message>
    <message>
        <source>free</source>
        <translation>免票</translation>
    </message>
    <message>
        <source>{0} tickets sold, {1} ({2}).</source>
        <translation>已售出 {0} 张门票，{1}（{2}）。</translation>
    </message>
    <message>
        <source>Give back {0} change.</source>
        <translation>请找零 {0}。</translation>
    </message>
    <message>
        <source>Sign in to check entries.</source>
        <translation>请登录后再检票。</translation>
    </message>
    <message>
        <source>Checking the pass</source>
        <translation>正在查验年卡</translation>
    </message>
    <message>
        <source>Admitted today at this gate: {0}</source>
        <translation>本闸口今日入园：{0}</translation>
    </message>
    <message>
        <source>No photo</source>
        <translation>无照片</translation>
    </message>
    <message>
        <source>The interrupted payment of {0} was completed: hand over what was sold.</source>
        <translation>{0} 的中断付款已完成：请交付所售物品。</translation>
    </message>
</context>
<context>
    <name>SettingsDialog</name>
    <message>
        <source>Settings</source>
        <translation>设置</translation>
    </message>
    <message>
        <source>&amp;Language:</source>
        <translation>语言(&amp;L)：</translation>
    </message>
    <message>
        <source>empty: the system&apos;s certificates</source>
        <translation>留空：使用系统证书</translation>
    </message>
    <message>
        <source>Bro&amp;wse…</source>
        <translation>浏览(&amp;W)…</translation>
    </message>
    <message>
        <source>Clearing center</source>
        <translation>清算中心</translation>
    </message>
    <message>
        <source>&amp;Address (URL):</source>
        <translation>地址 (URL)(&amp;A)：</translation>
    </message>
    <message>
        <source>Language and receipts</source>
        <translation>语言和小票</translation>
    </message>
    <message>
        <source>Print every money receipt a&amp;utomatically</source>
        <translation>自动打印每张收付款小票(&amp;U)</translation>
    </message>
    <message>
        <source>CA &amp;certificate:</source>
        <translation>CA 证书(&amp;C)：</translation>
    </message>
    <message>
        <source>empty: the first reader</source>
        <translation>留空：使用第一个读卡器</translation>
    </message>
    <message>
        <source>Scenic-area &amp;ticket office mode</source>
        <translation>景区售票处模式(&amp;T)</translation>
    </message>
    <message>
        <source>(the ticket-office screens come with a later version)</source>
        <translation>（售票处界面将在后续版本中提供）</translation>
    </message>
    <message>
        <source>This counter</source>
        <translation>本柜台</translation>
    </message>
    <message>
        <source>Card &amp;reader:</source>
        <translation>读卡器(&amp;R)：</translation>
    </message>
    <message>
        <source>empty: no mirror</source>
        <translation>留空：不设镜像</translation>
    </message>
    <message>
        <source>&amp;Browse…</source>
        <translation>浏览(&amp;B)…</translation>
    </message>
    <message>
        <source>The mirror keeps a second copy of the journal on a USB drive, a second disk or a network share — never on the data disk. 0 MB: no disk space warning.</source>
        <translation>镜像把流水日志再存一份到U盘、第二块硬盘或网络共享上——不能放在数据盘上。0 MB：不做磁盘空间警告。</translation>
    </message>
    <message>
        <source>Journal mirror and disk</source>
        <translation>流水日志镜像与磁盘</translation>
    </message>
    <message>
        <source>&amp;Mirror folder:</source>
        <translation>镜像文件夹(&amp;M)：</translation>
    </message>
    <message>
        <source>Disk space warnin&amp;g below:</source>
        <translation>磁盘空间低于此值时警告(&amp;G)：</translation>
    </message>
    <message>
        <source>Only an admin can change the printer, clearing center, reader, journal mirror and disk warning.</source>
        <translation>只有管理员才能修改打印机、清算中心、读卡器、流水日志镜像和磁盘警告。</translation>
    </message>
    <message>
        <source>A new clearing center, reader or journal mirror is used from the next start.</source>
        <translation>新的清算中心、读卡器或流水日志镜像在下次启动时生效。</translation>
    </message>
    <message>
        <source>&amp;Save</source>
        <translation>保存(&amp;S)</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <source>Receipt printer</source>
        <translation>小票打印机</translation>
    </message>
    <message>
        <source>No receipt printer</source>
        <translation>不使用小票打印机</translation>
    </message>
    <message>
        <source>System printer</source>
        <translation>系统打印机</translation>
    </message>
    <message>
        <source>PDF files in a folder</source>
        <translation>PDF 文件（保存到文件夹）</translation>
    </message>
    <message>
        <source>Thermal printer on the network</source>
        <translation>网络热敏打印机</translation>
    </message>
    <message>
        <source>Thermal printer on USB</source>
        <translation>USB 热敏打印机</translation>
    </message>
    <message>
        <source>Thermal printer on a device file</source>
        <translation>热敏打印机（设备文件）</translation>
    </message>
    <message>
        <source>&amp;Printer:</source>
        <translation>打印机(&amp;P)：</translation>
    </message>
    <message>
        <source>&amp;Name:</source>
        <translation>名称(&amp;N)：</translation>
    </message>
    <message>
        <source>&amp;Folder:</source>
        <translation>文件夹(&amp;F)：</translation>
    </message>
    <message>
        <source>&amp;Host:</source>
        <translation>主机(&amp;H)：</translation>
    </message>
    <message>
        <source>P&amp;ort:</source>
        <translation>端口(&amp;O)：</translation>
    </message>
    <message>
        <source>&amp;Vendor ID:</source>
        <translation>厂商 ID(&amp;V)：</translation>
    </message>
    <message>
        <source>Pro&amp;duct ID:</source>
        <translation>产品 ID(&amp;D)：</translation>
    </message>
    <message>
        <source>&amp;Device:</source>
        <translation>设备(&amp;D)：</translation>
    </message>
    <message>
        <source>80 mm paper (48 characters)</source>
        <translation>80 mm 纸（每行 48 字符）</translation>
    </message>
    <message>
        <source>58 mm paper (32 characters)</source>
        <translation>58 mm 纸（每行 32 字符）</translation>
    </message>
    <message>
        <source>Pap&amp;er:</source>
        <translation>纸张(&amp;E)：</translation>
    </message>
    <message>
        <source>The clearing center&apos;s CA certificate</source>
        <translation>清算中心的 CA 证书</translation>
    </message>
    <message>
        <source>Certificates (*.pem *.crt *.cer);;All files (*)</source>
        <translation>证书 (*.pem *.crt *.cer);;所有文件 (*)</translation>
    </message>
    <message>
        <source>A folder on a second medium for the journal&apos;s mirror</source>
        <translation>第二存储介质上存放流水日志镜像的文件夹</translation>
    </message>
    <message>
        <source>Looking for card readers</source>
        <translation>正在查找读卡器</translation>
    </message>
    <message>
        <source>Saving the settings</source>
        <translation>正在保存设置</translation>
    </message>
</context>
<context>
    <name>ShiftCloseDialog</name>
    <message>
        <source>Close the shift</source>
        <translation>结班</translation>
    </message>
    <message>
        <source>&amp;Declare count</source>
        <translation>提交实点(&amp;D)</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <source>Count the drawer of shift {0}</source>
        <translation>清点班次 {0} 的钱箱</translation>
    </message>
    <message>
        <source>Type how many of each note and coin are in the drawer. The expected amount is shown only after you declare your count; after that the count cannot change.</source>
        <translation>请输入钱箱中各面额纸币和硬币的数量。提交实点后才会显示应有金额，提交后实点不能再修改。</translation>
    </message>
    <message>
        <source>Denomination</source>
        <translation>面额</translation>
    </message>
    <message>
        <source>Pieces</source>
        <translation>数量</translation>
    </message>
    <message>
        <source>Amount</source>
        <translation>金额</translation>
    </message>
    <message>
        <source>notes</source>
        <translation>纸币</translation>
    </message>
    <message>
        <source>notes and coins</source>
        <translation>纸币/硬币</translation>
    </message>
    <message>
        <source>coins</source>
        <translation>硬币</translation>
    </message>
    <message>
        <source>Counted in total:</source>
        <translation>实点合计：</translation>
    </message>
    <message>
        <source>The cash differs from the expected amount</source>
        <translation>现金与应有金额不符</translation>
    </message>
    <message>
        <source>The difference is more than the tolerance. Write down why, then a supervisor approves the close.</source>
        <translation>差额超出允许范围。请填写原因，然后由主管授权结班。</translation>
    </message>
    <message>
        <source>&amp;Reason:</source>
        <translation>原因(&amp;R)：</translation>
    </message>
    <message>
        <source>Shift closed</source>
        <translation>已结班</translation>
    </message>
    <message>
        <source>Ask a &amp;supervisor and close</source>
        <translation>请主管授权并结班(&amp;S)</translation>
    </message>
    <message>
        <source>&amp;Print report</source>
        <translation>打印报表(&amp;P)</translation>
    </message>
    <message>
        <source>&amp;Done</source>
        <translation>完成(&amp;D)</translation>
    </message>
    <message>
        <source>Close</source>
        <translation>关闭</translation>
    </message>
    <message>
        <source>There is no open shift to close.</source>
        <translation>当前没有可结班的班次。</translation>
    </message>
    <message>
        <source>Declaring the count…</source>
        <translation>正在提交实点…</translation>
    </message>
    <message>
        <source>Closing the shift</source>
        <translation>正在结班</translation>
    </message>
    <message>
        <source>Expected cash: {0}</source>
        <translation>应有现金：{0}</translation>
    </message>
    <message>
        <source>Counted cash: {0}</source>
        <translation>实点现金：{0}</translation>
    </message>
    <message>
        <source>Difference: {0} ({1})</source>
        <translation>差额：{0}（{1}）</translation>
    </message>
    <message>
        <source>more than expected</source>
        <translation>长款</translation>
    </message>
    <message>
        <source>less than expected</source>
        <translation>短款</translation>
    </message>
    <message>
        <source>none</source>
        <translation>无</translation>
    </message>
    <message>
        <source>Write down why the cash differs.</source>
        <translation>请填写现金不符的原因。</translation>
    </message>
    <message>
        <source>The reason goes into the journal and the shift report.</source>
        <translation>原因将记入流水日志和班次报表。</translation>
    </message>
    <message>
        <source>Reason: {0}</source>
        <translation>原因：{0}</translation>
    </message>
    <message>
        <source>Shift {0} closed.</source>
        <translation>班次 {0} 已结班。</translation>
    </message>
    <message>
        <source>Opening float: {0}</source>
        <translation>备用金：{0}</translation>
    </message>
    <message>
        <source>Approved by: {0}</source>
        <translation>授权人：{0}</translation>
    </message>
    <message>
        <source>Journal checkpoint {0} signed.</source>
        <translation>流水日志检查点 {0} 已签名。</translation>
    </message>
    <message>
        <source>Reading the shift</source>
        <translation>正在读取班次</translation>
    </message>
</context>
<context>
    <name>ShiftOpenDialog</name>
    <message>
        <source>Open a shift</source>
        <translation>开班</translation>
    </message>
    <message>
        <source>Open a shift for {0}</source>
        <translation>为 {0} 开班</translation>
    </message>
    <message>
        <source>Count the cash in the drawer now and type it: it is the opening float.</source>
        <translation>请现在清点钱箱中的现金并输入，此金额即为备用金。</translation>
    </message>
    <message>
        <source>Opening &amp;float (¥):</source>
        <translation>备用金（¥）(&amp;F)：</translation>
    </message>
    <message>
        <source>&amp;Open shift</source>
        <translation>开班(&amp;O)</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <source>Type the opening float.</source>
        <translation>请输入备用金。</translation>
    </message>
    <message>
        <source>Type 0 when the drawer is empty.</source>
        <translation>钱箱为空时请输入 0。</translation>
    </message>
    <message>
        <source>Nobody is signed in.</source>
        <translation>当前没有人登录。</translation>
    </message>
    <message>
        <source>Sign in first.</source>
        <translation>请先登录。</translation>
    </message>
    <message>
        <source>Opening the shift</source>
        <translation>正在开班</translation>
    </message>
</context>
<context>
    <name>SignInDialog</name>
    <message>
        <source>&amp;Sign in</source>
        <translation>登录(&amp;S)</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <source>{count} operator account(s) that this counter&apos;s journal names are missing from its store: the store was damaged or edited outside the app.</source>
        <translation>本柜台日志记录的 {count} 个操作员账户在其数据库中缺失：数据库已损坏或在本程序之外被修改。</translation>
    </message>
    <message>
        <source>Those accounts cannot sign in. Restore the store from its backup or call the issuer&apos;s support; the first-admin set-up stays closed.</source>
        <translation>这些账户无法登录。请从备份恢复数据库，或联系发卡机构技术支持；首位管理员设置不会重新开放。</translation>
    </message>
    <message>
        <source>Sign in to the counter</source>
        <translation>登录柜台</translation>
    </message>
    <message>
        <source>&amp;Username:</source>
        <translation>用户名(&amp;U)：</translation>
    </message>
    <message>
        <source>&amp;Password:</source>
        <translation>密码(&amp;P)：</translation>
    </message>
    <message>
        <source>First run: create the administrator</source>
        <translation>首次运行：创建管理员</translation>
    </message>
    <message>
        <source>This counter has no operators yet. The administrator creates the clerks&apos; and supervisors&apos; accounts.</source>
        <translation>本柜台还没有操作员。请由管理员创建柜员和主管的账号。</translation>
    </message>
    <message>
        <source>&amp;Name:</source>
        <translation>姓名(&amp;N)：</translation>
    </message>
    <message>
        <source>&amp;Repeat password:</source>
        <translation>确认密码(&amp;R)：</translation>
    </message>
    <message>
        <source>Choose your own password</source>
        <translation>设置您自己的密码</translation>
    </message>
    <message>
        <source>An admin set the password you typed. Choose a new one that only you know before you start.</source>
        <translation>您输入的密码是管理员设置的。开始工作前，请设置一个只有您自己知道的新密码。</translation>
    </message>
    <message>
        <source>&amp;New password:</source>
        <translation>新密码(&amp;N)：</translation>
    </message>
    <message>
        <source>&amp;Change and sign in</source>
        <translation>修改并登录(&amp;C)</translation>
    </message>
    <message>
        <source>Sign in</source>
        <translation>登录</translation>
    </message>
    <message>
        <source>Create the administrator</source>
        <translation>创建管理员</translation>
    </message>
    <message>
        <source>&amp;Create and sign in</source>
        <translation>创建并登录(&amp;C)</translation>
    </message>
    <message>
        <source>Type your username and password.</source>
        <translation>请输入用户名和密码。</translation>
    </message>
    <message>
        <source>Choose a new password to continue.</source>
        <translation>请设置新密码后继续。</translation>
    </message>
    <message>
        <source>Checking the password…</source>
        <translation>正在核对密码…</translation>
    </message>
    <message>
        <source>Signing in</source>
        <translation>正在登录</translation>
    </message>
    <message>
        <source>The two passwords differ.</source>
        <translation>两次输入的密码不一致。</translation>
    </message>
    <message>
        <source>Type the same password twice.</source>
        <translation>请两次输入相同的密码。</translation>
    </message>
    <message>
        <source>Changing the password</source>
        <translation>正在修改密码</translation>
    </message>
    <message>
        <source>Choose another password.</source>
        <translation>请换一个密码。</translation>
    </message>
    <message>
        <source>At least 8 characters, not a common one, not containing the username.</source>
        <translation>至少 8 个字符，不能是常见密码，也不能包含用户名。</translation>
    </message>
    <message>
        <source>Administrator {0} created; signing in…</source>
        <translation>管理员 {0} 已创建，正在登录…</translation>
    </message>
    <message>
        <source>Creating the administrator</source>
        <translation>正在创建管理员</translation>
    </message>
</context>
<context>
    <name>StaffDialog</name>
    <message>
        <source>Staff</source>
        <translation>员工</translation>
    </message>
    <message>
        <source>&amp;Username (new account):</source>
        <translation>用户名（新账户）(&amp;U)：</translation>
    </message>
    <message>
        <source>&amp;Name:</source>
        <translation>姓名(&amp;N)：</translation>
    </message>
    <message>
        <source>R&amp;ole:</source>
        <translation>角色(&amp;O)：</translation>
    </message>
    <message>
        <source>Pass&amp;word:</source>
        <translation>密码(&amp;W)：</translation>
    </message>
    <message>
        <source>&amp;Create account</source>
        <translation>创建账户(&amp;C)</translation>
    </message>
    <message>
        <source>Set &amp;role</source>
        <translation>设置角色(&amp;R)</translation>
    </message>
    <message>
        <source>Set new &amp;password</source>
        <translation>设置新密码(&amp;P)</translation>
    </message>
    <message>
        <source>&amp;Lock</source>
        <translation>锁定(&amp;L)</translation>
    </message>
    <message>
        <source>Unloc&amp;k</source>
        <translation>解锁(&amp;K)</translation>
    </message>
    <message>
        <source>Close</source>
        <translation>关闭</translation>
    </message>
    <message>
        <source>Reading the accounts</source>
        <translation>正在读取账户</translation>
    </message>
    <message>
        <source>Account “{username}” created.</source>
        <translation>账户“{username}”已创建。</translation>
    </message>
    <message>
        <source>Creating the account</source>
        <translation>正在创建账户</translation>
    </message>
    <message>
        <source>“{username}” is now: {role}.</source>
        <translation>“{username}”现在是：{role}。</translation>
    </message>
    <message>
        <source>Changing the role</source>
        <translation>正在更改角色</translation>
    </message>
    <message>
        <source>New password set for “{username}”. Tell them in person.</source>
        <translation>已为“{username}”设置新密码。请当面告知本人。</translation>
    </message>
    <message>
        <source>Setting the password</source>
        <translation>正在设置密码</translation>
    </message>
    <message>
        <source>“{username}” is locked.</source>
        <translation>“{username}”已锁定。</translation>
    </message>
    <message>
        <source>“{username}” is unlocked.</source>
        <translation>“{username}”已解锁。</translation>
    </message>
    <message>
        <source>Changing the account</source>
        <translation>正在更改账户</translation>
    </message>
</context>
<context>
    <name>StaffModel</name>
    <message>
        <source>Username</source>
        <translation>用户名</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>姓名</translation>
    </message>
    <message>
        <source>Role</source>
        <translation>角色</translation>
    </message>
    <message>
        <source>State</source>
        <translation>状态</translation>
    </message>
    <message>
        <source>Clerk</source>
        <translation>柜员</translation>
    </message>
    <message>
        <source>Supervisor</source>
        <translation>主管</translation>
    </message>
    <message>
        <source>Admin</source>
        <translation>管理员</translation>
    </message>
    <message>
        <source>Deactivated</source>
        <translation>已停用</translation>
    </message>
    <message>
        <source>Locked by an admin</source>
        <translation>已被管理员锁定</translation>
    </message>
    <message>
        <source>Locked until {time} (wrong passwords)</source>
        <translation>锁定至 {time}（密码错误次数过多）</translation>
    </message>
    <message>
        <source>Active</source>
        <translation>在用</translation>
    </message>
</context>
<context>
    <name>SyncDialog</name>
    <message>
        <source>Clearing center sync</source>
        <translation>清算中心同步</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>状态</translation>
    </message>
    <message>
        <source>Clearing center:</source>
        <translation>清算中心：</translation>
    </message>
    <message>
        <source>Waiting to sync:</source>
        <translation>待同步：</translation>
    </message>
    <message>
        <source>Money waiting:</source>
        <translation>待上传金额：</translation>
    </message>
    <message>
        <source>Oldest waiting since:</source>
        <translation>最早待上传时间：</translation>
    </message>
    <message>
        <source>Last sync that went through:</source>
        <translation>上次成功同步：</translation>
    </message>
    <message>
        <source>Last attempt:</source>
        <translation>上次尝试：</translation>
    </message>
    <message>
        <source>Next attempt:</source>
        <translation>下次尝试：</translation>
    </message>
    <message>
        <source>Blacklist:</source>
        <translation>黑名单：</translation>
    </message>
    <message>
        <source>Parameters version:</source>
        <translation>参数版本：</translation>
    </message>
    <message>
        <source>Last problem:</source>
        <translation>最近问题：</translation>
    </message>
    <message>
        <source>&amp;Sync now</source>
        <translation>立即同步(&amp;S)</translation>
    </message>
    <message>
        <source>Close</source>
        <translation>关闭</translation>
    </message>
    <message>
        <source>No clearing center is configured: this counter works offline on its own. Its journal is kept for a later sync and for the auditors.</source>
        <translation>未配置清算中心：本柜台独立离线工作。流水日志将保留，供日后同步和审计使用。</translation>
    </message>
    <message>
        <source>not configured</source>
        <translation>未配置</translation>
    </message>
    <message>
        <source>Reading the journal</source>
        <translation>正在读取流水日志</translation>
    </message>
    <message>
        <source>{count} journal record(s) no center has seen</source>
        <translation>{count} 条流水记录尚未被清算中心接收</translation>
    </message>
    <message>
        <source>online</source>
        <translation>在线</translation>
    </message>
    <message>
        <source>offline (cannot be reached)</source>
        <translation>离线（无法连接）</translation>
    </message>
    <message>
        <source>refuses this counter</source>
        <translation>拒绝本柜台</translation>
    </message>
    <message>
        <source>not tried yet</source>
        <translation>尚未尝试</translation>
    </message>
    <message>
        <source>Uploading is stopped: {alarm}</source>
        <translation>上传已停止：{alarm}</translation>
    </message>
    <message>
        <source>Online: everything is synced.</source>
        <translation>在线：已全部同步。</translation>
    </message>
    <message>
        <source>Online: {count} record(s) still to send.</source>
        <translation>在线：还有 {count} 条记录待发送。</translation>
    </message>
    <message>
        <source>Not synced: the counter keeps working offline and sends everything later.</source>
        <translation>未同步：柜台继续离线工作，稍后会全部发送。</translation>
    </message>
    <message>
        <source>{count} record(s) (journal no. {acked} acknowledged, head no. {head})</source>
        <translation>{count} 条记录（已确认至流水号 {acked}，最新流水号 {head}）</translation>
    </message>
    <message>
        <source>{method}: {count} for {amount}</source>
        <translation>{method}：{count} 笔，共 {amount}</translation>
    </message>
    <message>
        <source>version {version}, brought up to date {when}</source>
        <translation>版本 {version}，更新于 {when}</translation>
    </message>
    <message>
        <source>not received yet</source>
        <translation>尚未收到</translation>
    </message>
    <message>
        <source>none</source>
        <translation>无</translation>
    </message>
    <message>
        <source>never</source>
        <translation>从未</translation>
    </message>
    <message>
        <source>{time} ({age} ago)</source>
        <translation>{time}（{age}前）</translation>
    </message>
    <message>
        <source>{n} s</source>
        <translation>{n} 秒</translation>
    </message>
    <message>
        <source>{n} min</source>
        <translation>{n} 分钟</translation>
    </message>
    <message>
        <source>{n} h</source>
        <translation>{n} 小时</translation>
    </message>
    <message>
        <source>{n} days</source>
        <translation>{n} 天</translation>
    </message>
    <message>
        <source>Asking for a sync</source>
        <translation>正在请求同步</translation>
    </message>
    <message>
        <source>Sync asked for: the status below updates when it is done.</source>
        <translation>已请求同步：完成后下方状态将更新。</translation>
    </message>
</context>
<context>
    <name>TapKeys</name>
    <message>
        <source>Demo reader</source>
        <translation>演示读卡器</translation>
    </message>
    <message>
        <source>Tap card (F9)</source>
        <translation>放卡 (F9)</translation>
    </message>
    <message>
        <source>Remove card (F10)</source>
        <translation>移走卡 (F10)</translation>
    </message>
</context>
<context>
    <name>TaskRunner</name>
    <message>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <source>Please wait</source>
        <translation>请稍候</translation>
    </message>
</context>
<context>
    <name>TopUpDialog</name>
    <message>
        <source>cash</source>
        <translation>现金</translation>
    </message>
    <message>
        <source>bank card</source>
        <translation>银行卡</translation>
    </message>
    <message>
        <source>WeChat Pay</source>
        <translation>微信支付</translation>
    </message>
    <message>
        <source>Alipay</source>
        <translation>支付宝</translation>
    </message>
    <message>
        <source>balance transfer</source>
        <translation>余额转移</translation>
    </message>
    <message>
        <source>Reading the card…</source>
        <translation>正在读卡…</translation>
    </message>
    <message>
        <source>Authorising the load…</source>
        <translation>正在授权圈存…</translation>
    </message>
    <message>
        <source>Writing to the card…</source>
        <translation>正在写卡…</translation>
    </message>
    <message>
        <source>Checking the card&apos;s answer…</source>
        <translation>正在校验卡片应答…</translation>
    </message>
    <message>
        <source>Give the customer the receipt.</source>
        <translation>请将小票交给客户。</translation>
    </message>
    <message>
        <source>The balance is now {0}.</source>
        <translation>当前余额为 {0}。</translation>
    </message>
    <message>
        <source>Done: the interrupted top-up of {0} on card {1} was completed.</source>
        <translation>已完成：卡 {1} 中断的 {0} 充值已成功。</translation>
    </message>
    <message>
        <source>Not done: the interrupted top-up of {0} on card {1} did not happen.</source>
        <translation>未完成：卡 {1} 中断的 {0} 充值没有发生。</translation>
    </message>
    <message>
        <source>The card was not loaded. Redo the top-up, or give the customer {0} back.</source>
        <translation>卡未充值成功。请重新充值，或退还客户 {0}。</translation>
    </message>
    <message>
        <source>The card cannot tell whether the top-up of {0} on card {1} happened.</source>
        <translation>无法从卡上确认卡 {1} 的 {0} 充值是否发生。</translation>
    </message>
    <message>
        <source>Keep the payment record; a supervisor settles it with the clearing center.</source>
        <translation>请保留收款凭证；由主管与清算中心核对处理。</translation>
    </message>
    <message>
        <source>{0}: top-ups of {1} to {2}, in multiples of {3}</source>
        <translation>{0}：每次充值 {1} 至 {2}，须为 {3} 的整数倍</translation>
    </message>
    <message>
        <source>Balance ceiling {0}: at most {1} can be loaded now</source>
        <translation>余额上限 {0}：本次最多可充值 {1}</translation>
    </message>
    <message>
        <source>Top up the card</source>
        <translation>卡充值</translation>
    </message>
    <message>
        <source>&amp;Top up</source>
        <translation>充值(&amp;T)</translation>
    </message>
    <message>
        <source>&amp;Print receipt</source>
        <translation>打印小票(&amp;P)</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <source>Leave it &amp;unfinished…</source>
        <translation>暂不处理(&amp;U)…</translation>
    </message>
    <message>
        <source>Presets</source>
        <translation>常用金额</translation>
    </message>
    <message>
        <source>Payment</source>
        <translation>支付方式</translation>
    </message>
    <message>
        <source>&amp;Cash</source>
        <translation>现金(&amp;C)</translation>
    </message>
    <message>
        <source>&amp;Bank card</source>
        <translation>银行卡(&amp;B)</translation>
    </message>
    <message>
        <source>&amp;WeChat Pay</source>
        <translation>微信支付(&amp;W)</translation>
    </message>
    <message>
        <source>A&amp;lipay</source>
        <translation>支付宝(&amp;L)</translation>
    </message>
    <message>
        <source>&amp;Amount (¥):</source>
        <translation>金额（¥）(&amp;A)：</translation>
    </message>
    <message>
        <source>Keep the card on the reader</source>
        <translation>请将卡保持在读卡器上</translation>
    </message>
    <message>
        <source>&amp;Stop waiting</source>
        <translation>停止等待(&amp;S)</translation>
    </message>
    <message>
        <source>Waiting {0} s</source>
        <translation>已等待 {0} 秒</translation>
    </message>
    <message>
        <source>The card reader has not answered for {0} s. Check its cable and that the card lies flat. You may stop waiting: if nothing was written, nothing is charged; if the card was being written, the counter checks it on the next tap and says what happened.</source>
        <translation>读卡器已 {0} 秒没有响应。请检查读卡器连线，并确认卡片平放。可以停止等待：如尚未写卡，则不收取任何费用；如正在写卡，系统会在下次放卡时检查并告知结果。</translation>
    </message>
    <message>
        <source>Stopping: the counter stops at the next safe point. If the card was already being written, wait for its answer — the journal then says whether it happened.</source>
        <translation>正在停止：系统将在下一个安全点停止。如卡片已在写入中，请等待其响应——届时流水记录将确定是否已完成。</translation>
    </message>
    <message>
        <source>Top-up done: give the customer the receipt</source>
        <translation>充值完成：请将小票交给客户</translation>
    </message>
    <message>
        <source>The card left the reader during the top-up</source>
        <translation>充值过程中卡离开了读卡器</translation>
    </message>
    <message>
        <source>Put the same card back on the reader.</source>
        <translation>请将同一张卡放回读卡器。</translation>
    </message>
    <message>
        <source>The counter then checks whether the card was loaded. Do not take or give back money until it says so.</source>
        <translation>系统随后会检查卡是否已充值成功。在系统提示之前，请勿收款或退款。</translation>
    </message>
    <message>
        <source>&amp;Done</source>
        <translation>完成(&amp;D)</translation>
    </message>
    <message>
        <source>Check the card &amp;again</source>
        <translation>重新检查卡(&amp;A)</translation>
    </message>
    <message>
        <source>&amp;Redo the top-up</source>
        <translation>重新充值(&amp;R)</translation>
    </message>
    <message>
        <source>Close</source>
        <translation>关闭</translation>
    </message>
    <message>
        <source>No card on the reader</source>
        <translation>读卡器上没有卡</translation>
    </message>
    <message>
        <source>Put the card on the reader first.</source>
        <translation>请先将卡放在读卡器上。</translation>
    </message>
    <message>
        <source>Card {0}{1}</source>
        <translation>卡号 {0}{1}</translation>
    </message>
    <message>
        <source>Balance {0}</source>
        <translation>余额 {0}</translation>
    </message>
    <message>
        <source>Card type {0} is unknown to this counter: it cannot be loaded.</source>
        <translation>本柜台不识别卡类型 {0}，无法充值。</translation>
    </message>
    <message>
        <source>This card type cannot be loaded here.</source>
        <translation>此类卡不能在本柜台充值。</translation>
    </message>
    <message>
        <source>{0} by {1}: the balance becomes {2}.</source>
        <translation>{1}充值 {0}：充值后余额为 {2}。</translation>
    </message>
    <message>
        <source>Checking</source>
        <translation>正在检查</translation>
    </message>
    <message>
        <source>There is no open shift.</source>
        <translation>尚未开班。</translation>
    </message>
    <message>
        <source>Open a shift first.</source>
        <translation>请先开班。</translation>
    </message>
    <message>
        <source>There is no card on the reader.</source>
        <translation>读卡器上没有卡。</translation>
    </message>
    <message>
        <source>Type the amount, or pick a preset with its digit 1…6.</source>
        <translation>请输入金额，或按数字键 1…6 选择预设金额。</translation>
    </message>
    <message>
        <source>Stopped: nothing was written to the card and nothing is charged.</source>
        <translation>已停止：未写卡，不收取任何费用。</translation>
    </message>
    <message>
        <source>Check the reader, then top up again.</source>
        <translation>请检查读卡器，然后重新充值。</translation>
    </message>
    <message>
        <source>The top-up is not settled yet: the dialog stays open.</source>
        <translation>充值结果尚未确定：此窗口不能关闭。</translation>
    </message>
    <message>
        <source>Put the same card back on the reader. If the customer has left with it, choose “Leave it unfinished” (Alt+U): the window keeps a banner until the card comes back.</source>
        <translation>请将同一张卡放回读卡器。如客户已带卡离开，请选择“暂不处理”（Alt+U）：主窗口将一直显示提示，直到该卡再次放上读卡器。</translation>
    </message>
    <message>
        <source>Leave the top-up unfinished</source>
        <translation>暂不处理此笔充值</translation>
    </message>
    <message>
        <source>Close without knowing whether card {0} was loaded?</source>
        <translation>在不确定卡 {0} 是否已充值的情况下关闭？</translation>
    </message>
    <message>
        <source>Take or give back no money now. The window shows “Unfinished top-up” until the card is put on the reader again; the counter then says what happened.</source>
        <translation>现在请勿收款或退款。主窗口将一直显示“未完成充值”，直到该卡再次放上读卡器，届时系统会告知结果。</translation>
    </message>
    <message>
        <source>&amp;Yes, leave it unfinished</source>
        <translation>确认暂不处理(&amp;Y)</translation>
    </message>
    <message>
        <source>Top-up: keep the card on the reader</source>
        <translation>充值中：请将卡保持在读卡器上</translation>
    </message>
    <message>
        <source>Card {0}</source>
        <translation>卡号 {0}</translation>
    </message>
    <message>
        <source>Loaded {0} by {1}</source>
        <translation>已充值 {0}（{1}）</translation>
    </message>
    <message>
        <source>Balance {0} → {1}</source>
        <translation>余额 {0} → {1}</translation>
    </message>
    <message>
        <source>Time {0} · terminal {1}</source>
        <translation>时间 {0} · 终端 {1}</translation>
    </message>
    <message>
        <source>TAC {0} · journal no. {1}</source>
        <translation>TAC {0} · 流水号 {1}</translation>
    </message>
</context>
<context>
    <name>UnlockDialog</name>
    <message>
        <source>Unlock this counter</source>
        <translation>解锁本柜台</translation>
    </message>
    <message>
        <source>The counter&apos;s keys are sealed. Type the keystore passphrase the administrator set at the first run.</source>
        <translation>本柜台的密钥已加密封存。请输入管理员在首次运行时设置的密钥库口令。</translation>
    </message>
    <message>
        <source>&amp;Passphrase:</source>
        <translation>口令(&amp;P)：</translation>
    </message>
    <message>
        <source>&amp;Unlock</source>
        <translation>解锁(&amp;U)</translation>
    </message>
    <message>
        <source>&amp;Quit</source>
        <translation>退出(&amp;Q)</translation>
    </message>
</context>
<context>
    <name>VoidReprintDialog</name>
    <message>
        <source>Void or reprint</source>
        <translation>撤销或重打</translation>
    </message>
    <message>
        <source>the last transaction</source>
        <translation>最近一笔交易</translation>
    </message>
    <message>
        <source>S&amp;how</source>
        <translation>显示(&amp;H)</translation>
    </message>
    <message>
        <source>Reading the shift&apos;s last transaction…</source>
        <translation>正在读取本班次最近一笔交易…</translation>
    </message>
    <message>
        <source>Journal &amp;no.:</source>
        <translation>流水号(&amp;N)：</translation>
    </message>
    <message>
        <source>Transaction</source>
        <translation>交易</translation>
    </message>
    <message>
        <source>&amp;Void this top-up…</source>
        <translation>撤销此笔充值(&amp;V)…</translation>
    </message>
    <message>
        <source>&amp;Reprint the receipt…</source>
        <translation>重打小票(&amp;R)…</translation>
    </message>
    <message>
        <source>Close</source>
        <translation>关闭</translation>
    </message>
    <message>
        <source>Both need a supervisor. A void takes the top-up back off the same card, which must be on the reader unused since; a reprint is marked COPY.</source>
        <translation>两者都需要主管授权。撤销是从原卡扣回充值金额，该卡须放在读卡器上，且充值后未使用过；重打的小票标注“副本”。</translation>
    </message>
    <message>
        <source>&amp;Finish the interrupted void</source>
        <translation>完成中断的撤销(&amp;F)</translation>
    </message>
    <message>
        <source>A journal number is digits only.</source>
        <translation>流水号只能是数字。</translation>
    </message>
    <message>
        <source>Reading the journal</source>
        <translation>正在读取流水日志</translation>
    </message>
    <message>
        <source>No transaction: this shift has not moved any money yet.</source>
        <translation>没有交易：本班次尚未发生任何资金往来。</translation>
    </message>
    <message>
        <source>There is no record with that journal number.</source>
        <translation>没有该流水号的记录。</translation>
    </message>
    <message>
        <source>Top-up</source>
        <translation>充值</translation>
    </message>
    <message>
        <source>Purchase</source>
        <translation>消费</translation>
    </message>
    <message>
        <source>Card return</source>
        <translation>退卡</translation>
    </message>
    <message>
        <source>Replacement</source>
        <translation>补卡</translation>
    </message>
    <message>
        <source>Card exchange</source>
        <translation>换卡</translation>
    </message>
    <message>
        <source>Void</source>
        <translation>撤销</translation>
    </message>
    <message>
        <source>No. {seq}, {time}: {what} of {amount} on card {card}, paid by {method}, by {who}.</source>
        <translation>流水号 {seq}，{time}：卡 {card} {what} {amount}，支付方式：{method}，经办人：{who}。</translation>
    </message>
    <message>
        <source>Void top-up no. {seq}: take {amount} back off card {card} and give it back.</source>
        <translation>撤销流水号 {seq} 的充值：从卡 {card} 扣回 {amount} 并退还给客户。</translation>
    </message>
    <message>
        <source>Keep the card on the reader…</source>
        <translation>请将卡保持在读卡器上…</translation>
    </message>
    <message>
        <source>Voiding the top-up</source>
        <translation>正在撤销充值</translation>
    </message>
    <message>
        <source>Finishing the void</source>
        <translation>正在完成撤销</translation>
    </message>
    <message>
        <source>The amount was not taken back off the card: nothing is voided.</source>
        <translation>金额未从卡中扣回：未撤销任何交易。</translation>
    </message>
    <message>
        <source>Nothing is given back. Void again if the customer still wants it.</source>
        <translation>请勿退款。如客户仍要撤销，请重新操作。</translation>
    </message>
    <message>
        <source>Top-up no. {seq} is voided: {amount} was taken back off card {card} (balance now {balance}). Give the customer {amount} back ({method}).</source>
        <translation>流水号 {seq} 的充值已撤销：已从卡 {card} 扣回 {amount}（当前余额 {balance}）。请退还客户 {amount}（{method}）。</translation>
    </message>
    <message>
        <source>Reprint the receipt of journal no. {seq} (it is marked COPY).</source>
        <translation>重打流水号 {seq} 的小票（标注“副本”）。</translation>
    </message>
    <message>
        <source>Reprinting the receipt</source>
        <translation>正在重打小票</translation>
    </message>
    <message>
        <source>The receipt of no. {seq} is reprinted as COPY {n}.</source>
        <translation>流水号 {seq} 的小票已重打，为副本 {n}。</translation>
    </message>
</context>
<context>
    <name>flows</name>
    <message>
        <source>&amp;Loss report</source>
        <translation>挂失(&amp;L)</translation>
    </message>
    <message>
        <source>&amp;Replace a lost card</source>
        <translation>挂失补卡(&amp;R)</translation>
    </message>
    <message>
        <source>E&amp;xchange a damaged card</source>
        <translation>损坏换卡(&amp;X)</translation>
    </message>
    <message>
        <source>Card ret&amp;urn and refund</source>
        <translation>退卡退款(&amp;U)</translation>
    </message>
    <message>
        <source>&amp;Void / reprint</source>
        <translation>撤销 / 重打(&amp;V)</translation>
    </message>
    <message>
        <source>&amp;Grey records</source>
        <translation>灰记录(&amp;G)</translation>
    </message>
    <message>
        <source>&amp;Journal: verify and export…</source>
        <translation>流水日志：校验与导出(&amp;J)…</translation>
    </message>
    <message>
        <source>&amp;Sync with the clearing center…</source>
        <translation>与清算中心同步(&amp;S)…</translation>
    </message>
    <message>
        <source>S&amp;taff…</source>
        <translation>员工(&amp;T)…</translation>
    </message>
</context>
<context>
    <name>messages</name>
    <message>
        <source>Check the card and try again.</source>
        <translation>请检查卡后重试。</translation>
    </message>
    <message>
        <source>Put the card back on the reader and keep it still.</source>
        <translation>请将卡放回读卡器并保持不动。</translation>
    </message>
    <message>
        <source>Check that the reader is plugged in and the smart-card service is running.</source>
        <translation>请检查读卡器是否已连接，以及智能卡服务是否正在运行。</translation>
    </message>
    <message>
        <source>The card may be damaged or not a city card; try again, then treat it as unreadable.</source>
        <translation>卡可能已损坏或不是本市一卡通卡；请重试，仍不行则按无法读卡处理。</translation>
    </message>
    <message>
        <source>This is not a city card this counter can serve.</source>
        <translation>此卡不是本柜台可受理的一卡通卡。</translation>
    </message>
    <message>
        <source>Do not hand out a receipt; keep the card aside and call the supervisor.</source>
        <translation>请勿交付小票；将卡单独放好并联系主管。</translation>
    </message>
    <message>
        <source>The card is blocked. Check the loss report; the card cannot be used.</source>
        <translation>此卡已锁定。请查询挂失记录；此卡不能使用。</translation>
    </message>
    <message>
        <source>The card is permanently locked; offer a replacement.</source>
        <translation>此卡已永久锁定；请为客户办理补卡。</translation>
    </message>
    <message>
        <source>Start the operation again with the card on the reader.</source>
        <translation>请将卡放在读卡器上，重新开始操作。</translation>
    </message>
    <message>
        <source>Keys may be out of step with the card; call the supervisor.</source>
        <translation>密钥可能与卡不同步；请联系主管。</translation>
    </message>
    <message>
        <source>Nothing was written to the card. Call the supervisor if this repeats.</source>
        <translation>卡上未写入任何数据。如反复出现，请联系主管。</translation>
    </message>
    <message>
        <source>The balance is too low; top the card up first or pay another way.</source>
        <translation>余额不足；请先充值或改用其他支付方式。</translation>
    </message>
    <message>
        <source>Choose a smaller amount; the card cannot hold more.</source>
        <translation>请减少金额；卡内余额将超出上限。</translation>
    </message>
    <message>
        <source>This card needs other keys than this counter holds; call the supervisor.</source>
        <translation>此卡所需的密钥本柜台没有；请联系主管。</translation>
    </message>
    <message>
        <source>The transaction did not complete on the card.</source>
        <translation>该交易未在卡上完成。</translation>
    </message>
    <message>
        <source>The card does not support this operation.</source>
        <translation>此卡不支持该操作。</translation>
    </message>
    <message>
        <source>{command}: unexpected status word (SW {status})</source>
        <translation>{command}：意外的状态字（SW {status}）</translation>
    </message>
    <message>
        <source>{command}: file or application not found (SW {status})</source>
        <translation>{command}：未找到文件或应用（SW {status}）</translation>
    </message>
    <message>
        <source>{command}: no such record (SW {status})</source>
        <translation>{command}：记录不存在（SW {status}）</translation>
    </message>
    <message>
        <source>{command}: application blocked (SW {status})</source>
        <translation>{command}：应用已锁定（SW {status}）</translation>
    </message>
    <message>
        <source>{command}: selected file invalidated (SW {status})</source>
        <translation>{command}：所选文件已失效（SW {status}）</translation>
    </message>
    <message>
        <source>{command}: conditions not satisfied (SW {status})</source>
        <translation>{command}：使用条件不满足（SW {status}）</translation>
    </message>
    <message>
        <source>{command}: secure-messaging MAC wrong (SW {status})</source>
        <translation>{command}：安全报文 MAC 错误（SW {status}）</translation>
    </message>
    <message>
        <source>{command}: security status not met (SW {status})</source>
        <translation>{command}：安全状态不满足（SW {status}）</translation>
    </message>
    <message>
        <source>{command}: challenge missing or expired (SW {status})</source>
        <translation>{command}：随机数缺失或已过期（SW {status}）</translation>
    </message>
    <message>
        <source>{command}: transaction MAC wrong (SW {status})</source>
        <translation>{command}：交易 MAC 错误（SW {status}）</translation>
    </message>
    <message>
        <source>{command}: application permanently locked (SW {status})</source>
        <translation>{command}：应用已永久锁定（SW {status}）</translation>
    </message>
    <message>
        <source>{command}: insufficient balance (SW {status})</source>
        <translation>{command}：余额不足（SW {status}）</translation>
    </message>
    <message>
        <source>{command}: counter or amount out of range (SW {status})</source>
        <translation>{command}：计数器或金额超出范围（SW {status}）</translation>
    </message>
    <message>
        <source>{command}: key index not supported (SW {status})</source>
        <translation>{command}：不支持该密钥索引（SW {status}）</translation>
    </message>
    <message>
        <source>{command}: requested MAC not available (SW {status})</source>
        <translation>{command}：无法提供所请求的 MAC（SW {status}）</translation>
    </message>
    <message>
        <source>{command}: wrong length (SW {status})</source>
        <translation>{command}：长度错误（SW {status}）</translation>
    </message>
    <message>
        <source>{command}: incorrect P1/P2 (SW {status})</source>
        <translation>{command}：P1/P2 参数错误（SW {status}）</translation>
    </message>
    <message>
        <source>{command}: offset outside the file (SW {status})</source>
        <translation>{command}：偏移量超出文件范围（SW {status}）</translation>
    </message>
    <message>
        <source>{command}: instruction not supported (SW {status})</source>
        <translation>{command}：不支持该指令（SW {status}）</translation>
    </message>
    <message>
        <source>{command}: class not supported (SW {status})</source>
        <translation>{command}：不支持该指令类别（SW {status}）</translation>
    </message>
    <message>
        <source>date {date} is not BCD</source>
        <translation>日期 {date} 不是 BCD 格式</translation>
    </message>
    <message>
        <source>time {time} is not BCD</source>
        <translation>时间 {time} 不是 BCD 格式</translation>
    </message>
    <message>
        <source>file 0x15 has {length} bytes, expected {expected}</source>
        <translation>文件 0x15 长度为 {length} 字节，应为 {expected}</translation>
    </message>
    <message>
        <source>file 0x16 has {length} bytes, expected {expected}</source>
        <translation>文件 0x16 长度为 {length} 字节，应为 {expected}</translation>
    </message>
    <message>
        <source>a record has {length} bytes, expected {expected}</source>
        <translation>记录长度为 {length} 字节，应为 {expected}</translation>
    </message>
    <message>
        <source>date {date} is not a calendar date</source>
        <translation>日期 {date} 不是有效日期</translation>
    </message>
    <message>
        <source>time {time} is not a time of day</source>
        <translation>时间 {time} 不是有效时刻</translation>
    </message>
    <message>
        <source>holder text {text} is not {encoding}</source>
        <translation>持卡人文本 {text} 不是 {encoding} 编码</translation>
    </message>
    <message>
        <source>the card was released</source>
        <translation>卡连接已释放</translation>
    </message>
    <message>
        <source>the card did not answer: {reason}</source>
        <translation>卡无应答：{reason}</translation>
    </message>
    <message>
        <source>Put the card of the interrupted transaction on the reader.</source>
        <translation>请将中断交易的卡放在读卡器上。</translation>
    </message>
    <message>
        <source>card {card} is not card {expected}</source>
        <translation>卡 {card} 不是卡 {expected}</translation>
    </message>
    <message>
        <source>the card did not say its key version</source>
        <translation>卡未返回密钥版本</translation>
    </message>
    <message>
        <source>Call the supervisor.</source>
        <translation>请联系主管。</translation>
    </message>
    <message>
        <source>the smart-card service is not available</source>
        <translation>智能卡服务不可用</translation>
    </message>
    <message>
        <source>reader {reader!r} is not connected</source>
        <translation>读卡器 {reader!r} 未连接</translation>
    </message>
    <message>
        <source>the smart-card service is not available: {reason}</source>
        <translation>智能卡服务不可用：{reason}</translation>
    </message>
    <message>
        <source>reader {reader!r} is not available</source>
        <translation>读卡器 {reader!r} 不可用</translation>
    </message>
    <message>
        <source>not connected to a card on {reader}</source>
        <translation>未连接到 {reader} 上的卡</translation>
    </message>
    <message>
        <source>the card left {reader}</source>
        <translation>卡已离开 {reader}</translation>
    </message>
    <message>
        <source>the card on {reader} did not answer: {reason}</source>
        <translation>{reader} 上的卡无应答：{reason}</translation>
    </message>
    <message>
        <source>no card on {reader}</source>
        <translation>{reader} 上没有卡</translation>
    </message>
    <message>
        <source>cannot reach the card on {reader}: {reason}</source>
        <translation>无法访问 {reader} 上的卡：{reason}</translation>
    </message>
    <message>
        <source>This card uses keys this counter does not hold; call the supervisor.</source>
        <translation>此卡使用的密钥本柜台没有；请联系主管。</translation>
    </message>
    <message>
        <source>the card&apos;s TAC for the load does not verify</source>
        <translation>卡返回的圈存 TAC 校验失败</translation>
    </message>
    <message>
        <source>no {algorithm} keys of version {version} in this SAM</source>
        <translation>此 SAM 中没有版本 {version} 的 {algorithm} 密钥</translation>
    </message>
    <message>
        <source>the card&apos;s MAC1 does not verify: not a genuine card, or wrong keys</source>
        <translation>卡的 MAC1 校验失败：可能不是真卡，或密钥不对</translation>
    </message>
    <message>
        <source>the card&apos;s purchase MAC2 does not verify</source>
        <translation>卡的消费 MAC2 校验失败</translation>
    </message>
    <message>
        <source>the card&apos;s purchase TAC does not verify</source>
        <translation>卡的消费 TAC 校验失败</translation>
    </message>
    <message>
        <source>no keys of version {version} in this SAM</source>
        <translation>此 SAM 中没有版本 {version} 的密钥</translation>
    </message>
    <message>
        <source>Check the SAM in the reader&apos;s SAM slot; call the supervisor.</source>
        <translation>请检查读卡器SAM卡座中的SAM卡；并联系主管。</translation>
    </message>
    <message>
        <source>Check that the SAM sits in the reader&apos;s SAM slot; then put the card back.</source>
        <translation>请确认SAM卡已插在读卡器的SAM卡座中；然后把卡放回读卡器。</translation>
    </message>
    <message>
        <source>The SAM refuses offline top-ups above its per-load cap.</source>
        <translation>SAM卡拒绝超过单笔上限的脱机充值。</translation>
    </message>
    <message>
        <source>The SAM&apos;s offline top-up total since the last center contact is used up.</source>
        <translation>自上次联系清分中心以来，SAM卡的脱机充值总额已用完。</translation>
    </message>
    <message>
        <source>The SAM&apos;s offline top-up count since the last center contact is used up.</source>
        <translation>自上次联系清分中心以来，SAM卡的脱机充值笔数已用完。</translation>
    </message>
    <message>
        <source>The SAM has not heard from the clearing center recently enough.</source>
        <translation>SAM卡距上次联系清分中心的时间过长。</translation>
    </message>
    <message>
        <source>The SAM refuses a top-up dated before one it already authorised: check the PC&apos;s clock.</source>
        <translation>SAM卡拒绝早于其已授权充值时间的充值：请检查电脑时钟。</translation>
    </message>
    <message>
        <source>the SAM answered {command} with status {status}</source>
        <translation>SAM卡对 {command} 的应答状态为 {status}</translation>
    </message>
    <message>
        <source>the SAM&apos;s files 0x15/0x16 are not a PSAM&apos;s</source>
        <translation>SAM卡的0x15/0x16文件不是PSAM卡的格式</translation>
    </message>
    <message>
        <source>another SAM was put in the reader&apos;s SAM slot</source>
        <translation>读卡器的SAM卡座中换了另一张SAM卡</translation>
    </message>
    <message>
        <source>This counter&apos;s SAM cannot authorise top-ups offline (it has no ISAM role).</source>
        <translation>本柜台的SAM卡不能授权脱机充值（没有ISAM功能）。</translation>
    </message>
    <message>
        <source>the ISAM refused the renewal: its MAC does not verify</source>
        <translation>ISAM拒绝了续期：其MAC校验失败</translation>
    </message>
    <message>
        <source>the ISAM refused the renewal: it was used already</source>
        <translation>ISAM拒绝了续期：该续期已使用过</translation>
    </message>
    <message>
        <source>this counter&apos;s SAM holds no {kind} keys: only the clearing center can do that</source>
        <translation>本柜台的SAM卡没有 {kind} 密钥：只有清分中心才能办理</translation>
    </message>
    <message>
        <source>terminal {terminal} is not this SAM&apos;s terminal {sam}</source>
        <translation>终端 {terminal} 不是本SAM卡的终端 {sam}</translation>
    </message>
    <message>
        <source>the SAM gives no TAC for a transaction it did not take part in</source>
        <translation>SAM卡不为未参与的交易生成TAC</translation>
    </message>
    <message>
        <source>the SAM did not answer {command}: {reason}</source>
        <translation>SAM卡没有应答 {command}：{reason}</translation>
    </message>
    <message>
        <source>The transaction stays open for the clearing center to decide; call the supervisor.</source>
        <translation>该交易保持未决，由清分中心裁定；请联系主管。</translation>
    </message>
    <message>
        <source>Put this counter&apos;s SAM in the reader&apos;s SAM slot (or check the SAM reader&apos;s name), then restart the counter.</source>
        <translation>请将本柜台的SAM卡插入读卡器的SAM卡座（或检查SAM读卡器名称），然后重启柜台程序。</translation>
    </message>
    <message>
        <source>This counter has no SAM: {reason}</source>
        <translation>本柜台没有SAM卡：{reason}</translation>
    </message>
    <message>
        <source>{command} answered {length} bytes, expected {expected}</source>
        <translation>{command} 返回 {length} 字节，应为 {expected} 字节</translation>
    </message>
    <message>
        <source>the card has no City Union or T-Union purse</source>
        <translation>卡上没有互联互通（City Union）或交通联合（T-Union）电子钱包</translation>
    </message>
    <message>
        <source>the card uses purse algorithm {algorithm}</source>
        <translation>卡的电子钱包使用 {algorithm} 算法</translation>
    </message>
    <message>
        <source>Send the holder to a T-Union service point.</source>
        <translation>请持卡人到交通联合服务网点办理。</translation>
    </message>
    <message>
        <source>Top-up of T-Union cards is not supported at this counter yet</source>
        <translation>本柜台暂不支持交通联合卡充值</translation>
    </message>
    <message>
        <source>GET DATA answered tag {tag}, expected 85</source>
        <translation>GET DATA 返回标签 {tag}，应为 85</translation>
    </message>
    <message>
        <source>TLV length missing</source>
        <translation>TLV 缺少长度</translation>
    </message>
    <message>
        <source>TLV length malformed</source>
        <translation>TLV 长度格式错误</translation>
    </message>
    <message>
        <source>TLV {tag} value runs past the end</source>
        <translation>TLV {tag} 的值超出数据末尾</translation>
    </message>
    <message>
        <source>TLV tag runs past the end</source>
        <translation>TLV 标签超出数据末尾</translation>
    </message>
    <message>
        <source>{command}: the card never stopped answering 61xx</source>
        <translation>{command}：卡一直返回 61xx，无法结束</translation>
    </message>
    <message>
        <source>{command}: a card answer has at least 2 bytes, got {length}</source>
        <translation>{command}：卡应答至少应有 2 字节，实际为 {length}</translation>
    </message>
    <message>
        <source>Check the directory given; nothing was changed in the journal.</source>
        <translation>请检查所指定的目录；流水日志未做任何更改。</translation>
    </message>
    <message>
        <source>{path} exists and is not an empty directory; nothing was written.</source>
        <translation>{path} 已存在且不是空目录；未写入任何内容。</translation>
    </message>
    <message>
        <source>{path} is not a journal archive (no manifest.json).</source>
        <translation>{path} 不是流水日志归档（缺少 manifest.json）。</translation>
    </message>
    <message>
        <source>Unknown archive format {found!r}.</source>
        <translation>未知的归档格式 {found!r}。</translation>
    </message>
    <message>
        <source>The archive&apos;s manifest or device file is unreadable: {reason}</source>
        <translation>归档的清单文件或设备文件无法读取：{reason}</translation>
    </message>
    <message>
        <source>There is no journal at {path}.</source>
        <translation>{path} 处没有流水库。</translation>
    </message>
    <message>
        <source>The journal file {path} is empty: its contents are gone or were never written.</source>
        <translation>流水库 {path} 为空：内容已丢失或从未写入。</translation>
    </message>
    <message>
        <source>{path} is not a journal: it is not an SQLite database.</source>
        <translation>{path} 不是流水库：它不是 SQLite 数据库。</translation>
    </message>
    <message>
        <source>The journal {path} cannot be read: {reason}.</source>
        <translation>无法读取流水库 {path}：{reason}。</translation>
    </message>
    <message>
        <source>{path} is an SQLite database but not a journal (it is empty).</source>
        <translation>{path} 是 SQLite 数据库，但不是流水库（数据库为空）。</translation>
    </message>
    <message>
        <source>{path} is an SQLite database but not a journal (it has tables {tables}).</source>
        <translation>{path} 是 SQLite 数据库，但不是流水库（包含表 {tables}）。</translation>
    </message>
    <message>
        <source>The journal {path} has schema {revision}, newer than this version of the application knows ({known}).</source>
        <translation>流水库 {path} 的结构版本为 {revision}，比本程序版本所支持的版本（{known}）更新。</translation>
    </message>
    <message>
        <source>Call a supervisor.</source>
        <translation>请联系主管。</translation>
    </message>
    <message>
        <source>The journal file was not changed. Check the data directory (a wrong path, a disk problem or a file copied over it), restore the journal from its backup, and start again.</source>
        <translation>流水库未做任何更改。请检查数据目录（路径错误、磁盘故障或文件被覆盖），从备份恢复流水库后重新启动。</translation>
    </message>
    <message>
        <source>The journal was not changed. Install the application version that wrote it (or newer); never run an older version on this journal.</source>
        <translation>流水库未做任何更改。请安装写入该流水库的程序版本（或更新版本）；切勿用旧版本程序打开此流水库。</translation>
    </message>
    <message>
        <source>The computer&apos;s clock is wrong. Ask a supervisor to set the date and time correctly (or let it synchronise), then try again. Nothing was recorded.</source>
        <translation>电脑时钟不正确。请主管校正日期和时间（或让其自动同步）后重试。本次未记录任何内容。</translation>
    </message>
    <message>
        <source>This is a program error; nothing was recorded. Call a supervisor.</source>
        <translation>程序出错；未记录任何内容。请联系主管。</translation>
    </message>
    <message>
        <source>device id {device_id!r} must be 1-32 letters, digits, - or _</source>
        <translation>设备 ID {device_id!r} 须为 1-32 个字母、数字、- 或 _</translation>
    </message>
    <message>
        <source>terminal id {terminal_id!r} must be 12 hex digits (6 bytes)</source>
        <translation>终端 ID {terminal_id!r} 须为 12 位十六进制数字（6 字节）</translation>
    </message>
    <message>
        <source>A file already exists at {path}; it was not overwritten.</source>
        <translation>{path} 处已有文件；未覆盖该文件。</translation>
    </message>
    <message>
        <source>{path} has no journal header (journal_meta): not a journal.</source>
        <translation>{path} 没有流水库头（journal_meta）：不是流水库。</translation>
    </message>
    <message>
        <source>The journal at {path} belongs to device {device_id} with key {journal_key}, but the keystore&apos;s device key is {keystore_key}: the wrong keystore or journal was given.</source>
        <translation>{path} 处的流水库属于设备 {device_id}（密钥 {journal_key}），但密钥库中的设备密钥为 {keystore_key}：密钥库或流水库指定错误。</translation>
    </message>
    <message>
        <source>The journal failed verification at {problem}.</source>
        <translation>流水日志校验失败，位置：{problem}。</translation>
    </message>
    <message>
        <source>The clock says {now} UTC, earlier than the last journal record ({last} UTC).</source>
        <translation>时钟显示为 {now} UTC，早于最后一条流水记录（{last} UTC）。</translation>
    </message>
    <message>
        <source>the journal key {key_id!r} is not in the keystore</source>
        <translation>密钥库中没有流水日志密钥 {key_id!r}</translation>
    </message>
    <message>
        <source>seq {seq} is not a {intent_kind}</source>
        <translation>流水号 {seq} 不是 {intent_kind} 记录</translation>
    </message>
    <message>
        <source>the outcome&apos;s card is not the card of intent {seq}</source>
        <translation>结果记录中的卡不是意向记录 {seq} 中的卡</translation>
    </message>
    <message>
        <source>intent {seq} was already closed by seq {closed_by}</source>
        <translation>意向记录 {seq} 已由流水号 {closed_by} 关闭</translation>
    </message>
    <message>
        <source>the new key set must keep every old key and the device key</source>
        <translation>新密钥集必须保留所有旧密钥和设备密钥</translation>
    </message>
    <message>
        <source>the new key set has the same current key</source>
        <translation>新密钥集的当前密钥与原来相同</translation>
    </message>
    <message>
        <source>a new journal starts with its genesis record</source>
        <translation>新流水日志必须以初始记录开头</translation>
    </message>
    <message>
        <source>the journal already has its genesis record</source>
        <translation>流水日志已有初始记录</translation>
    </message>
    <message>
        <source>an intent cannot refer to another record</source>
        <translation>意向记录不能引用其他记录</translation>
    </message>
    <message>
        <source>only outcomes refer to an intent</source>
        <translation>只有结果记录可以引用意向记录</translation>
    </message>
    <message>
        <source>The clock is earlier than the last journal record.</source>
        <translation>时钟早于最后一条流水记录。</translation>
    </message>
    <message>
        <source>cannot acknowledge seq {seq}: the journal ends at {last}</source>
        <translation>无法确认流水号 {seq}：流水日志止于 {last}</translation>
    </message>
    <message>
        <source>the keystore holds no journal keys: this device was never set up (run the first-run set-up) or the wrong keystore was opened</source>
        <translation>密钥库中没有流水日志密钥：此设备从未初始化（请运行首次设置），或打开了错误的密钥库</translation>
    </message>
    <message>
        <source>the call was stopped before the clearing center answered</source>
        <translation>请求在清算中心应答前被中止</translation>
    </message>
    <message>
        <source>the connection to the clearing center at {center} broke off before the answer was complete</source>
        <translation>与清算中心 {center} 的连接在应答完成前中断</translation>
    </message>
    <message>
        <source>{what}: unexpected HTTP {status}</source>
        <translation>{what}：意外的 HTTP 状态 {status}</translation>
    </message>
    <message>
        <source>{what}: empty key id</source>
        <translation>{what}：密钥 ID 为空</translation>
    </message>
    <message>
        <source>{what}: the journal key is {size} bytes, not 32</source>
        <translation>{what}：流水日志密钥为 {size} 字节，应为 32 字节</translation>
    </message>
    <message>
        <source>this counter is not enrolled with the clearing center yet</source>
        <translation>本柜台尚未在清算中心注册</translation>
    </message>
    <message>
        <source>the clearing center at {center} did not accept a connection within {seconds} s</source>
        <translation>清算中心 {center} 在 {seconds} 秒内未接受连接</translation>
    </message>
    <message>
        <source>the clearing center at {center} did not answer within {seconds} s</source>
        <translation>清算中心 {center} 在 {seconds} 秒内未应答</translation>
    </message>
    <message>
        <source>cannot connect to the clearing center at {center} (connection failed)</source>
        <translation>无法连接清算中心 {center}（连接失败）</translation>
    </message>
    <message>
        <source>the center&apos;s answer is too large ({size} bytes)</source>
        <translation>清算中心的应答过大（{size} 字节）</translation>
    </message>
    <message>
        <source>the clearing center refused this counter: {detail}</source>
        <translation>清算中心拒绝了本柜台：{detail}</translation>
    </message>
    <message>
        <source>the clearing center raised a tamper alarm: {detail}</source>
        <translation>清算中心发出防篡改告警：{detail}</translation>
    </message>
    <message>
        <source>{detail}</source>
        <translation>{detail}</translation>
    </message>
    <message>
        <source>the clearing center failed ({detail})</source>
        <translation>清算中心出错（{detail}）</translation>
    </message>
    <message>
        <source>Ask the administrator: the device id or its key is already enrolled.</source>
        <translation>请联系管理员：该设备 ID 或其密钥已注册。</translation>
    </message>
    <message>
        <source>enrolment: the center registered another public key</source>
        <translation>注册：清算中心登记的是另一个公钥</translation>
    </message>
    <message>
        <source>enrolment: the center enrolled another device or terminal</source>
        <translation>注册：清算中心注册的是另一台设备或终端</translation>
    </message>
    <message>
        <source>upload: the center quarantined a record that was not sent</source>
        <translation>上传：清算中心隔离了一条未发送的记录</translation>
    </message>
    <message>
        <source>{what}: the wrapped key does not decrypt: {reason}</source>
        <translation>{what}：无法解密封装的密钥：{reason}</translation>
    </message>
    <message>
        <source>cannot connect to the clearing center at {center} (connection refused)</source>
        <translation>无法连接清算中心 {center}（连接被拒绝）</translation>
    </message>
    <message>
        <source>the center&apos;s answer is larger than {limit} bytes</source>
        <translation>清算中心的应答超过 {limit} 字节</translation>
    </message>
    <message>
        <source>the clearing center at {center} is not trusted: its TLS certificate does not verify ({error})</source>
        <translation>清算中心 {center} 不可信：其 TLS 证书校验失败（{error}）</translation>
    </message>
    <message>
        <source>Ask a technician to restore the file from the counter&apos;s set-up (it holds only the clearing center&apos;s address and CA file); nothing else was changed.</source>
        <translation>请技术人员按柜台的安装配置恢复该文件（文件中只有清算中心的地址和 CA 文件）；其他内容均未更改。</translation>
    </message>
    <message>
        <source>{path} is damaged: base_url and ca_file must be text</source>
        <translation>{path} 已损坏：base_url 和 ca_file 必须是文本</translation>
    </message>
    <message>
        <source>{path} is damaged: {reason}</source>
        <translation>{path} 已损坏：{reason}</translation>
    </message>
    <message>
        <source>Carry on offline within the offline limits: every record stays in the journal and is sent when the center answers again. If this lasts, check the network and call IT.</source>
        <translation>请在离线限额内继续离线办理：所有记录都保存在流水日志中，清算中心恢复应答后会自动发送。如持续出现，请检查网络并联系 IT 人员。</translation>
    </message>
    <message>
        <source>The connection was refused for safety. Check the center&apos;s address and the CA file in the counter&apos;s settings; call IT. Work continues offline meanwhile.</source>
        <translation>出于安全考虑，连接已被拒绝。请检查柜台设置中的清算中心地址和 CA 文件，并联系 IT 人员。在此期间可继续离线办理。</translation>
    </message>
    <message>
        <source>Check the counter&apos;s clock and that this device is enrolled; if it persists, the device must be enrolled again by the administrator.</source>
        <translation>请检查柜台时钟以及本设备是否已注册；如问题持续，须由管理员重新注册本设备。</translation>
    </message>
    <message>
        <source>Stop and call the supervisor: the center holds different records for the same numbers. Do not delete or replace the journal file.</source>
        <translation>请停止操作并联系主管：清算中心中相同流水号的记录与本地不一致。请勿删除或替换流水库。</translation>
    </message>
    <message>
        <source>Try again in a few minutes; work continues offline meanwhile.</source>
        <translation>请几分钟后重试；在此期间可继续离线办理。</translation>
    </message>
    <message>
        <source>The counter and the center do not agree on the protocol (versions?). Nothing was changed locally; call IT with the time of this message.</source>
        <translation>柜台与清算中心的协议不一致（版本不同？）。本地未做任何更改；请记下此消息的时间并联系 IT 人员。</translation>
    </message>
    <message>
        <source>Stop and call the supervisor: this journal file is older than what the center received. Do not delete anything; the journal must be restored from the newest copy.</source>
        <translation>请停止操作并联系主管：此流水库比清算中心已收到的数据旧。请勿删除任何文件；须从最新的备份恢复流水库。</translation>
    </message>
    <message>
        <source>the scenic catalogue in the parameters cannot be used: {problem}</source>
        <translation>参数中的景区产品目录无法使用：{problem}</translation>
    </message>
    <message>
        <source>The center set record {seq} aside and will not take it or later ones: {reason}</source>
        <translation>清算中心已搁置记录 {seq}，不再接收该记录及其后的记录：{reason}</translation>
    </message>
    <message>
        <source>The center refused the journal&apos;s signed checkpoint: {reason}</source>
        <translation>清算中心拒绝了流水日志的签名检查点：{reason}</translation>
    </message>
    <message>
        <source>The center took record {seq} but keeps it out of the card ledger: {reason}</source>
        <translation>清算中心已接收记录 {seq}，但未将其计入卡账：{reason}</translation>
    </message>
    <message>
        <source>The journal could not be read for the upload: {reason}</source>
        <translation>无法读取流水日志以上传：{reason}</translation>
    </message>
    <message>
        <source>Internal error in the sync (logged): {reason}</source>
        <translation>同步内部错误（已记录日志）：{reason}</translation>
    </message>
    <message>
        <source>Uploading stopped: {reason}</source>
        <translation>上传已停止：{reason}</translation>
    </message>
    <message>
        <source>The center&apos;s parameters version {version} cannot be used here: {reason}</source>
        <translation>清算中心的参数版本 {version} 无法在此使用：{reason}</translation>
    </message>
    <message>
        <source>{what}: a delta since {since} answers a question about {asked}</source>
        <translation>{what}：自 {since} 起的增量与所请求的 {asked} 不符</translation>
    </message>
    <message>
        <source>{what}: a full list cannot remove cards</source>
        <translation>{what}：全量名单不能删除卡</translation>
    </message>
    <message>
        <source>{what}: unknown loss report status {status}</source>
        <translation>{what}：未知的挂失状态 {status}</translation>
    </message>
    <message>
        <source>{what}: outlet {device} appears twice</source>
        <translation>{what}：网点 {device} 重复出现</translation>
    </message>
    <message>
        <source>{what}: unknown checkpoint status {status}</source>
        <translation>{what}：未知的检查点状态 {status}</translation>
    </message>
    <message>
        <source>{what}: unknown ledger kind {kind}</source>
        <translation>{what}：未知的账目类型 {kind}</translation>
    </message>
    <message>
        <source>{what}: the center answered about another card</source>
        <translation>{what}：清算中心答复的是另一张卡</translation>
    </message>
    <message>
        <source>{what}: {key} should be a date, got {got}</source>
        <translation>{what}：{key} 应为日期，收到的是 {got}</translation>
    </message>
    <message>
        <source>{what}: a pass of another card</source>
        <translation>{what}：另一张卡的年卡</translation>
    </message>
    <message>
        <source>the clearing center holds this device&apos;s records up to seq {held}, but the journal file ends at seq {head}</source>
        <translation>清算中心保存的本设备记录已到流水号 {held}，但流水库只到流水号 {head}</translation>
    </message>
    <message>
        <source>{what}: {key} should be {expected}, got {got}</source>
        <translation>{what}：{key} 应为 {expected}，实际为 {got}</translation>
    </message>
    <message>
        <source>{what}: the answer is not JSON ({preview}…)</source>
        <translation>{what}：应答不是 JSON（{preview}…）</translation>
    </message>
    <message>
        <source>{what}: expected a JSON object, got {got}</source>
        <translation>{what}：应为 JSON 对象，实际为 {got}</translation>
    </message>
    <message>
        <source>{what}: the field {key} is missing</source>
        <translation>{what}：缺少字段 {key}</translation>
    </message>
    <message>
        <source>Do not serve this card. Keep it and follow the lost-card procedure.</source>
        <translation>请勿受理此卡。请扣留此卡并按挂失卡流程处理。</translation>
    </message>
    <message>
        <source>Card {serial} is blocked.</source>
        <translation>卡 {serial} 已锁定。</translation>
    </message>
    <message>
        <source>Do not load it; check the loss report or refund case.</source>
        <translation>请勿充值；请查询挂失或退卡记录。</translation>
    </message>
    <message>
        <source>Card {serial} expired on {expiry}.</source>
        <translation>卡 {serial} 已于 {expiry} 过期。</translation>
    </message>
    <message>
        <source>Offer an exchange for a new card (the balance moves with it).</source>
        <translation>请为客户办理换卡（余额随卡转移）。</translation>
    </message>
    <message>
        <source>Card {serial} is valid only from {start}.</source>
        <translation>卡 {serial} 自 {start} 起才生效。</translation>
    </message>
    <message>
        <source>It cannot be loaded yet.</source>
        <translation>暂时不能充值。</translation>
    </message>
    <message>
        <source>Card {serial} has card type {card_type}, unknown to this counter.</source>
        <translation>卡 {serial} 的卡类型为 {card_type}，本柜台无法识别。</translation>
    </message>
    <message>
        <source>Do not load it; report the card type to the supervisor.</source>
        <translation>请勿充值；请将该卡类型报告主管。</translation>
    </message>
    <message>
        <source>{amount} is not an amount in fen.</source>
        <translation>{amount} 不是以分为单位的有效金额。</translation>
    </message>
    <message>
        <source>Enter the amount in yuan, e.g. 50.</source>
        <translation>请输入以元为单位的金额，例如 50。</translation>
    </message>
    <message>
        <source>The amount must be more than zero.</source>
        <translation>金额必须大于零。</translation>
    </message>
    <message>
        <source>Enter the amount to load.</source>
        <translation>请输入充值金额。</translation>
    </message>
    <message>
        <source>{amount} is outside the {card_type} limits ({low} – {high}).</source>
        <translation>{amount} 超出{card_type}的限额（{low} – {high}）。</translation>
    </message>
    <message>
        <source>Load between {low} and {high}.</source>
        <translation>请充值 {low} 至 {high}。</translation>
    </message>
    <message>
        <source>{amount} is not a multiple of {step}.</source>
        <translation>{amount} 不是 {step} 的整数倍。</translation>
    </message>
    <message>
        <source>Load a multiple of {step}.</source>
        <translation>请按 {step} 的整数倍充值。</translation>
    </message>
    <message>
        <source>The balance would exceed the {ceiling} ceiling of a {card_type}.</source>
        <translation>余额将超过{card_type}的上限 {ceiling}。</translation>
    </message>
    <message>
        <source>At most {room} can be loaded now.</source>
        <translation>目前最多可充值 {room}。</translation>
    </message>
    <message>
        <source>{amount} is not a balance to transfer.</source>
        <translation>{amount} 不是可转移的余额。</translation>
    </message>
    <message>
        <source>The transferred balance would take the new card over its {ceiling} ceiling.</source>
        <translation>转移后的余额将使新卡超过其上限 {ceiling}。</translation>
    </message>
    <message>
        <source>Use a card type with a higher ceiling, or refund the difference.</source>
        <translation>请改用余额上限更高的卡类型，或退还差额。</translation>
    </message>
    <message>
        <source>Ask a supervisor to do it, or to approve it.</source>
        <translation>请主管办理，或请主管授权。</translation>
    </message>
    <message>
        <source>Open a shift first (with the opening cash float).</source>
        <translation>请先开班（录入备用金）。</translation>
    </message>
    <message>
        <source>Put the same card back on the reader: the counter checks what the card did and continues the exchange from there. Do not give out the new card yet.</source>
        <translation>请将同一张卡放回读卡器：系统将检查该卡已完成的操作，并从中断处继续换卡。暂勿将新卡交给客户。</translation>
    </message>
    <message>
        <source>The balance of card {old} ({amount}) is held for the exchange and the card is blocked: put the new card on the reader.</source>
        <translation>卡 {old} 的余额（{amount}）已为换卡预留，该卡已锁定：请将新卡放到读卡器上。</translation>
    </message>
    <message>
        <source>Put card {old} back on the reader: the exchange continues where it stopped.</source>
        <translation>请将卡 {old} 放回读卡器：换卡将从中断处继续。</translation>
    </message>
    <message>
        <source>Card {old} was exchanged for card {new}: {amount} moved to it. Give the customer the new card and the receipt.</source>
        <translation>卡 {old} 已换为卡 {new}，{amount} 已转入新卡。请将新卡和小票交给客户。</translation>
    </message>
    <message>
        <source>The exchange of card {old} was given up; nothing was taken from the card.</source>
        <translation>卡 {old} 的换卡已放弃，未从卡中扣除任何金额。</translation>
    </message>
    <message>
        <source>{method!r} is not a payment method for the fee.</source>
        <translation>{method!r} 不是可用于支付手续费的支付方式。</translation>
    </message>
    <message>
        <source>Choose cash, bank card, WeChat or Alipay.</source>
        <translation>请选择现金、银行卡、微信或支付宝。</translation>
    </message>
    <message>
        <source>There is no exchange {seq!r} in the journal.</source>
        <translation>流水日志中没有换卡记录 {seq!r}。</translation>
    </message>
    <message>
        <source>The balance of card {old} was already taken (or may have been), or the card blocked, for this exchange; it cannot be given up.</source>
        <translation>卡 {old} 的余额已（或可能已）为本次换卡扣除，或该卡已锁定，不能放弃本次换卡。</translation>
    </message>
    <message>
        <source>Tap the old card to settle it, then finish the exchange onto a new card.</source>
        <translation>请先刷旧卡完成结算，再将余额换入新卡。</translation>
    </message>
    <message>
        <source>Giving up an exchange needs a reason.</source>
        <translation>放弃换卡须填写原因。</translation>
    </message>
    <message>
        <source>A reported card is replaced after the waiting period, not exchanged.</source>
        <translation>已挂失的卡应在等待期满后补卡，不能换卡。</translation>
    </message>
    <message>
        <source>Card {serial} is not one of this issuer&apos;s cards.</source>
        <translation>卡 {serial} 不是本发卡机构的卡。</translation>
    </message>
    <message>
        <source>Only the issuer&apos;s own cards are exchanged here.</source>
        <translation>此处只办理本发卡机构卡片的换卡。</translation>
    </message>
    <message>
        <source>Card {serial} has card type {card_type:02X}, unknown to this counter.</source>
        <translation>卡 {serial} 的卡类型为 {card_type:02X}，本柜台无法识别。</translation>
    </message>
    <message>
        <source>Report the card type to the supervisor.</source>
        <translation>请将该卡类型报告主管。</translation>
    </message>
    <message>
        <source>Tap it again if its exchange was interrupted; otherwise call the supervisor.</source>
        <translation>如果该卡换卡中断，请再刷一次；否则请联系主管。</translation>
    </message>
    <message>
        <source>Card {serial} was already replaced by card {new}.</source>
        <translation>卡 {serial} 已补为卡 {new}。</translation>
    </message>
    <message>
        <source>Card {serial} has an interrupted transaction.</source>
        <translation>卡 {serial} 有一笔中断的交易。</translation>
    </message>
    <message>
        <source>Tap the card to settle it first.</source>
        <translation>请先刷卡完成结算。</translation>
    </message>
    <message>
        <source>Card {old} must be on the reader first: its balance is not yet taken for the exchange, or it is not yet blocked.</source>
        <translation>须先将卡 {old} 放到读卡器上：其余额尚未为换卡扣除，或该卡尚未锁定。</translation>
    </message>
    <message>
        <source>Put the old card on the reader, then the new one.</source>
        <translation>请先将旧卡放到读卡器上，再放新卡。</translation>
    </message>
    <message>
        <source>This is the old card itself.</source>
        <translation>这就是旧卡本身。</translation>
    </message>
    <message>
        <source>Put the new stock card on the reader.</source>
        <translation>请将新卡放到读卡器上。</translation>
    </message>
    <message>
        <source>Loading the balance onto card {new} was interrupted; only that card can finish the exchange.</source>
        <translation>向卡 {new} 圈存余额时中断，只有该卡才能完成本次换卡。</translation>
    </message>
    <message>
        <source>Put card {new} back on the reader.</source>
        <translation>请将卡 {new} 放回读卡器。</translation>
    </message>
    <message>
        <source>Card {serial} is not a new stock card (balance {balance}).</source>
        <translation>卡 {serial} 不是新卡（余额 {balance}）。</translation>
    </message>
    <message>
        <source>Use an unused card from stock.</source>
        <translation>请使用库存中未使用过的卡。</translation>
    </message>
    <message>
        <source>Card {old} left the reader during the exchange ({error}).</source>
        <translation>换卡过程中卡 {old} 离开了读卡器（{error}）。</translation>
    </message>
    <message>
        <source>The balance of card {old} was already loaded onto card {new}.</source>
        <translation>卡 {old} 的余额已圈存到卡 {new}。</translation>
    </message>
    <message>
        <source>Put card {new} on the reader to finish the exchange.</source>
        <translation>请将卡 {new} 放到读卡器上以完成换卡。</translation>
    </message>
    <message>
        <source>Card {new} cannot tell whether the balance was loaded.</source>
        <translation>无法从卡 {new} 判断余额是否已圈存。</translation>
    </message>
    <message>
        <source>Keep the card; a supervisor settles it with the clearing center.</source>
        <translation>请保留该卡，由主管与清算中心核对处理。</translation>
    </message>
    <message>
        <source>Card {old} cannot tell whether its balance was taken for the exchange.</source>
        <translation>无法从卡 {old} 判断其余额是否已为换卡扣除。</translation>
    </message>
    <message>
        <source>Card {new} left the reader while the balance was loaded ({error}).</source>
        <translation>圈存余额时卡 {new} 离开了读卡器（{error}）。</translation>
    </message>
    <message>
        <source>Card {serial} is not registered to a holder.</source>
        <translation>卡 {serial} 不是记名卡。</translation>
    </message>
    <message>
        <source>The ID number does not match the card&apos;s registered holder.</source>
        <translation>证件号码与该卡的记名持卡人不符。</translation>
    </message>
    <message>
        <source>Check the holder&apos;s ID document again; do not report the card.</source>
        <translation>请重新核对持卡人的证件；不要办理挂失。</translation>
    </message>
    <message>
        <source>Card {serial} has no loss report to cancel.</source>
        <translation>卡 {serial} 没有可解挂的挂失。</translation>
    </message>
    <message>
        <source>A cancellation needs a reason.</source>
        <translation>解挂须填写原因。</translation>
    </message>
    <message>
        <source>Write why the card is found.</source>
        <translation>请填写卡片找回的情况。</translation>
    </message>
    <message>
        <source>Type them again. After {max_failures} wrong tries in a row the account is locked for {lockout_minutes} minutes.</source>
        <translation>请重新输入。连续输错 {max_failures} 次，账户将锁定 {lockout_minutes} 分钟。</translation>
    </message>
    <message>
        <source>An admin must set a new password for this account (Tools ▸ Staff).</source>
        <translation>须由管理员为此账户设置新密码（工具 ▸ 员工）。</translation>
    </message>
    <message>
        <source>Ask an admin to unlock it (Tools ▸ Staff).</source>
        <translation>请管理员解锁（工具 ▸ 员工）。</translation>
    </message>
    <message>
        <source>Nobody is signed in.</source>
        <translation>当前没有人登录。</translation>
    </message>
    <message>
        <source>Sign in first.</source>
        <translation>请先登录。</translation>
    </message>
    <message>
        <source>{name} is signed in as {role}; only a {required} or above may {action}.</source>
        <translation>{name} 以{role}身份登录；只有{required}及以上才能{action}。</translation>
    </message>
    <message>
        <source>This needs a supervisor&apos;s approval.</source>
        <translation>此操作需要主管授权。</translation>
    </message>
    <message>
        <source>Ask a supervisor to approve.</source>
        <translation>请主管授权。</translation>
    </message>
    <message>
        <source>The approval given does not match any recorded approval.</source>
        <translation>提供的授权与任何已记录的授权都不符。</translation>
    </message>
    <message>
        <source>Ask the supervisor to approve again.</source>
        <translation>请主管重新授权。</translation>
    </message>
    <message>
        <source>The approval is for “{given}”, not for “{needed}”.</source>
        <translation>该授权用于“{given}”，而不是“{needed}”。</translation>
    </message>
    <message>
        <source>Ask the supervisor to approve this operation.</source>
        <translation>请主管为此操作授权。</translation>
    </message>
    <message>
        <source>Only a supervisor or an admin can approve this.</source>
        <translation>只有主管或管理员才能授权此操作。</translation>
    </message>
    <message>
        <source>{approver} cannot approve an operation of their own.</source>
        <translation>{approver} 不能为自己的操作授权。</translation>
    </message>
    <message>
        <source>Ask another supervisor to approve.</source>
        <translation>请其他主管授权。</translation>
    </message>
    <message>
        <source>The approval is older than {minutes} minutes.</source>
        <translation>该授权已超过 {minutes} 分钟。</translation>
    </message>
    <message>
        <source>Choose another: at least {min_length} characters, not a common one, not containing the username.</source>
        <translation>请另选一个：至少 {min_length} 个字符，不能是常用密码，不能包含用户名。</translation>
    </message>
    <message>
        <source>Wrong username or password.</source>
        <translation>用户名或密码错误。</translation>
    </message>
    <message>
        <source>Wait until {until}, or ask an admin to unlock the account or set a new password for it (Tools ▸ Staff).</source>
        <translation>请等到 {until}，或请管理员解锁该账户或为其设置新密码（工具 ▸ 员工）。</translation>
    </message>
    <message>
        <source>The password was refused: a password is text.</source>
        <translation>密码无效：密码必须是文本。</translation>
    </message>
    <message>
        <source>The password was refused: a password needs at least {minimum} characters.</source>
        <translation>密码无效：密码至少需要 {minimum} 个字符。</translation>
    </message>
    <message>
        <source>The password was refused: a password may have at most {maximum} characters.</source>
        <translation>密码无效：密码最多 {maximum} 个字符。</translation>
    </message>
    <message>
        <source>The password was refused: this password is one of the most common ones; choose another.</source>
        <translation>密码无效：该密码属于最常用的密码，请另选一个。</translation>
    </message>
    <message>
        <source>The password was refused: this password repeats too few characters; choose another.</source>
        <translation>密码无效：该密码重复字符过多，请另选一个。</translation>
    </message>
    <message>
        <source>The password was refused: this password is a simple sequence; choose another.</source>
        <translation>密码无效：该密码是简单序列，请另选一个。</translation>
    </message>
    <message>
        <source>The password was refused: the password must not contain the username.</source>
        <translation>密码无效：密码不能包含用户名。</translation>
    </message>
    <message>
        <source>This counter already has operators.</source>
        <translation>本柜台已有操作员。</translation>
    </message>
    <message>
        <source>Sign in as an admin to add operators.</source>
        <translation>请以管理员身份登录后添加操作员。</translation>
    </message>
    <message>
        <source>{role} is not a role.</source>
        <translation>{role} 不是有效角色。</translation>
    </message>
    <message>
        <source>Choose clerk, supervisor or admin.</source>
        <translation>请选择柜员、主管或管理员。</translation>
    </message>
    <message>
        <source>You cannot change your own role.</source>
        <translation>不能更改自己的角色。</translation>
    </message>
    <message>
        <source>You cannot lock your own account.</source>
        <translation>不能锁定自己的账户。</translation>
    </message>
    <message>
        <source>You cannot unlock your own account.</source>
        <translation>不能解锁自己的账户。</translation>
    </message>
    <message>
        <source>You cannot deactivate your own account.</source>
        <translation>不能停用自己的账户。</translation>
    </message>
    <message>
        <source>Ask another admin to do it.</source>
        <translation>请其他管理员办理。</translation>
    </message>
    <message>
        <source>An approval needs a purpose (at most 64 characters).</source>
        <translation>授权须注明用途（最多 64 个字符）。</translation>
    </message>
    <message>
        <source>Nobody can approve their own operation.</source>
        <translation>任何人都不能为自己的操作授权。</translation>
    </message>
    <message>
        <source>{name} is a {role}; approvals need a supervisor or an admin.</source>
        <translation>{name} 是{role}；授权须由主管或管理员进行。</translation>
    </message>
    <message>
        <source>The account of {name} was changed or deactivated.</source>
        <translation>{name} 的账户已被修改或停用。</translation>
    </message>
    <message>
        <source>Sign out and sign in again.</source>
        <translation>请退出登录后重新登录。</translation>
    </message>
    <message>
        <source>“{username}” cannot be a username.</source>
        <translation>“{username}”不能用作用户名。</translation>
    </message>
    <message>
        <source>Use 2-32 lower-case letters, digits, &apos;.&apos;, &apos;_&apos; or &apos;-&apos;, starting with a letter or digit.</source>
        <translation>请使用 2–32 个小写字母、数字、“.”、“_”或“-”，并以字母或数字开头。</translation>
    </message>
    <message>
        <source>The display name must be 1-64 printable characters.</source>
        <translation>显示名称须为 1–64 个可打印字符。</translation>
    </message>
    <message>
        <source>Type the person&apos;s name.</source>
        <translation>请输入此人的姓名。</translation>
    </message>
    <message>
        <source>The account “{username}” is locked.</source>
        <translation>账户“{username}”已锁定。</translation>
    </message>
    <message>
        <source>Changing your own password needs your current password.</source>
        <translation>修改自己的密码须输入当前密码。</translation>
    </message>
    <message>
        <source>Type your current password, then the new one.</source>
        <translation>请输入当前密码，再输入新密码。</translation>
    </message>
    <message>
        <source>The new password is the old one.</source>
        <translation>新密码与旧密码相同。</translation>
    </message>
    <message>
        <source>Choose a password you did not use.</source>
        <translation>请选择一个未使用过的密码。</translation>
    </message>
    <message>
        <source>There is no operator “{username}”.</source>
        <translation>没有操作员“{username}”。</translation>
    </message>
    <message>
        <source>Check the username.</source>
        <translation>请核对用户名。</translation>
    </message>
    <message>
        <source>The password record of “{username}” is damaged.</source>
        <translation>“{username}”的密码记录已损坏。</translation>
    </message>
    <message>
        <source>Wrong password {count} times: the account “{username}” is now locked.</source>
        <translation>密码错误 {count} 次：账户“{username}”现已锁定。</translation>
    </message>
    <message>
        <source>Put the same card back on the reader: the counter will check whether the payment happened. Do not give or take anything until it says so.</source>
        <translation>请将同一张卡放回读卡器：系统将检查付款是否已完成。在系统提示之前，请勿交付或收取任何物品。</translation>
    </message>
    <message>
        <source>{amount!r} is not an amount to pay from the card.</source>
        <translation>{amount!r} 不是可从卡中支付的金额。</translation>
    </message>
    <message>
        <source>{method!r} is not a payment method.</source>
        <translation>{method!r} 不是有效的支付方式。</translation>
    </message>
    <message>
        <source>Card {serial} holds {balance}, not the expected {expected}.</source>
        <translation>卡 {serial} 余额为 {balance}，而不是预期的 {expected}。</translation>
    </message>
    <message>
        <source>Tap the card again; if it was used meanwhile, start over.</source>
        <translation>请再刷一次卡；如果期间卡已被使用，请重新开始。</translation>
    </message>
    <message>
        <source>Do not take payments from this card. Keep it and follow the lost-card procedure.</source>
        <translation>请勿从此卡扣款。请扣留该卡，并按遗失卡流程处理。</translation>
    </message>
    <message>
        <source>Keep the card on the reader: the interrupted transaction is checked first.</source>
        <translation>请将卡留在读卡器上：系统先检查中断的交易。</translation>
    </message>
    <message>
        <source>Card {serial} holds {balance}; {amount} cannot be paid from it.</source>
        <translation>卡 {serial} 余额为 {balance}，无法支付 {amount}。</translation>
    </message>
    <message>
        <source>The SAM did not answer after the card was debited ({error}).</source>
        <translation>卡已扣款后SAM卡没有应答（{error}）。</translation>
    </message>
    <message>
        <source>The SAM did not answer after the card was loaded ({reason}).</source>
        <translation>卡已充值后SAM卡没有应答（{reason}）。</translation>
    </message>
    <message>
        <source>No top-up: this counter has no clearing center, and {reason}</source>
        <translation>无法充值：本柜台没有清分中心，且{reason}</translation>
    </message>
    <message>
        <source>The card&apos;s balance changed since it was read.</source>
        <translation>读卡后卡内余额已发生变化。</translation>
    </message>
    <message>
        <source>Tap the card again.</source>
        <translation>请再刷一次卡。</translation>
    </message>
    <message>
        <source>The card left the reader while it was being debited ({error}).</source>
        <translation>扣款过程中卡离开了读卡器（{error}）。</translation>
    </message>
    <message>
        <source>Record {seq} has no receipt (it moved no money).</source>
        <translation>记录 {seq} 没有小票（未发生资金变动）。</translation>
    </message>
    <message>
        <source>There is no record {seq} in the journal.</source>
        <translation>流水日志中没有记录 {seq}。</translation>
    </message>
    <message>
        <source>The interrupted top-up of {amount} on card {serial} was completed: give the customer the receipt.</source>
        <translation>卡 {serial} 中断的 {amount} 充值已完成：请将小票交给客户。</translation>
    </message>
    <message>
        <source>The interrupted top-up of {amount} on card {serial} did not happen: the card was not loaded. Redo the top-up, or give the customer {amount} back.</source>
        <translation>卡 {serial} 中断的 {amount} 充值未完成：卡内未圈存。请重新充值，或将 {amount} 退还客户。</translation>
    </message>
    <message>
        <source>The card cannot tell whether the top-up of {amount} happened ({reason}). Keep the payment record; a supervisor settles it with the clearing center.</source>
        <translation>无法从卡中判断 {amount} 的充值是否已完成（{reason}）。请保留付款凭证，由主管与清算中心核对处理。</translation>
    </message>
    <message>
        <source>The interrupted payment of {amount} from card {serial} was completed: the card was debited.</source>
        <translation>卡 {serial} 中断的 {amount} 付款已完成：卡已扣款。</translation>
    </message>
    <message>
        <source>The interrupted payment of {amount} from card {serial} did not happen: the card was not debited.</source>
        <translation>卡 {serial} 中断的 {amount} 付款未完成：卡未扣款。</translation>
    </message>
    <message>
        <source>The card cannot tell whether the payment of {amount} happened ({reason}). Keep the card&apos;s record; a supervisor settles it with the clearing center.</source>
        <translation>无法从卡中判断 {amount} 的付款是否已完成（{reason}）。请保留该卡的记录，由主管与清算中心核对处理。</translation>
    </message>
    <message>
        <source>Put the same card back on the reader to finish the return. Do not pay anything yet.</source>
        <translation>请将同一张卡放回读卡器以完成退卡。暂勿支付任何款项。</translation>
    </message>
    <message>
        <source>Card {serial} is not one of this issuer&apos;s card types.</source>
        <translation>卡 {serial} 不属于本发卡机构的卡类型。</translation>
    </message>
    <message>
        <source>Only the issuer&apos;s own cards can be returned here.</source>
        <translation>此处只办理本发卡机构卡片的退卡。</translation>
    </message>
    <message>
        <source>A reported card is replaced, not returned; keep the card.</source>
        <translation>已挂失的卡应补卡，不能退卡；请扣留该卡。</translation>
    </message>
    <message>
        <source>Tap it again if its return was interrupted; otherwise call the supervisor.</source>
        <translation>如果该卡退卡中断，请再刷一次；否则请联系主管。</translation>
    </message>
    <message>
        <source>The card left the reader while being blocked ({reason}).</source>
        <translation>锁卡过程中卡离开了读卡器（{reason}）。</translation>
    </message>
    <message>
        <source>The lost card&apos;s balance is only known to the clearing center. Try again when the counter is online; the holder keeps the loss report and the waiting period.</source>
        <translation>挂失卡的余额只有清算中心知道。请在柜台在线时重试；持卡人的挂失和等待期保持不变。</translation>
    </message>
    <message>
        <source>Center unavailable: the settled balance of card {serial} cannot be fetched.</source>
        <translation>清算中心不可用：无法获取卡 {serial} 的清算余额。</translation>
    </message>
    <message>
        <source>Card {serial} has no loss report at this counter.</source>
        <translation>卡 {serial} 在本柜台没有挂失记录。</translation>
    </message>
    <message>
        <source>Report the card lost first (with the holder&apos;s ID); replace it after the wait.</source>
        <translation>请先挂失该卡（凭持卡人证件），等待期满后再补卡。</translation>
    </message>
    <message>
        <source>Card {serial} was already replaced by card {new_serial}.</source>
        <translation>卡 {serial} 已补为卡 {new_serial}。</translation>
    </message>
    <message>
        <source>Card {serial} can be replaced from {ready} (UTC).</source>
        <translation>卡 {serial} 可于 {ready}（UTC）起补卡。</translation>
    </message>
    <message>
        <source>The waiting period lets every counter upload what the lost card spent.</source>
        <translation>设置等待期是为了让各柜台上传挂失卡的消费记录。</translation>
    </message>
    <message>
        <source>{method} is not a payment method for the fee.</source>
        <translation>{method} 不是可用于支付手续费的支付方式。</translation>
    </message>
    <message>
        <source>This is the lost card itself.</source>
        <translation>这就是挂失的卡本身。</translation>
    </message>
    <message>
        <source>Put a new stock card on the reader.</source>
        <translation>请将一张新卡放到读卡器上。</translation>
    </message>
    <message>
        <source>The clearing center cannot settle card {serial} yet: {reason}</source>
        <translation>清算中心暂时无法结算卡 {serial}：{reason}</translation>
    </message>
    <message>
        <source>Check the loss report&apos;s date; replace the card once the waiting period is over.</source>
        <translation>请核对挂失日期；等待期满后再补卡。</translation>
    </message>
    <message>
        <source>Center unavailable: the settled balance of card {serial} cannot be fetched ({reason}).</source>
        <translation>清算中心不可用：无法获取卡 {serial} 的清算余额（{reason}）。</translation>
    </message>
    <message>
        <source>Offer the visitor a top-up of at least {shortfall} first (on the counter page), or take the payment in cash or by QR code.</source>
        <translation>请先为游客充值至少 {shortfall}（在柜台页面），或改收现金或扫码支付。</translation>
    </message>
    <message>
        <source>This pass was already used {minutes} minutes ago at gate {gate}: check the photo.</source>
        <translation>此年卡已于 {minutes} 分钟前在闸口 {gate} 使用过：请核对照片。</translation>
    </message>
    <message>
        <source>Pass valid until {until}: admit {holder}.</source>
        <translation>年卡有效期至 {until}：准予 {holder} 入园。</translation>
    </message>
    <message>
        <source>The pass of card {serial} expired on {until}.</source>
        <translation>卡 {serial} 的年卡已于 {until} 过期。</translation>
    </message>
    <message>
        <source>The pass of card {serial} is valid from {since}.</source>
        <translation>卡 {serial} 的年卡自 {since} 起生效。</translation>
    </message>
    <message>
        <source>Card {serial} is blacklisted: do not admit; keep the card if you can.</source>
        <translation>卡 {serial} 已列入黑名单：禁止入园；如有可能请扣留该卡。</translation>
    </message>
    <message>
        <source>Card {serial} has no annual pass: sell a ticket.</source>
        <translation>卡 {serial} 没有年卡：请售票。</translation>
    </message>
    <message>
        <source>The pass was sold at another ticket office (the clearing center knows it): there is no photo here, check the holder&apos;s ID.</source>
        <translation>该年卡在其他售票处售出（清算中心有记录）：本机没有照片，请核对持卡人证件。</translation>
    </message>
    <message>
        <source>The clearing center cannot be reached: only the passes sold at this counter were checked.</source>
        <translation>无法连接清算中心：仅核查了本柜台售出的年卡。</translation>
    </message>
    <message>
        <source>The basket is empty.</source>
        <translation>购物篮是空的。</translation>
    </message>
    <message>
        <source>Choose the tickets first.</source>
        <translation>请先选择门票。</translation>
    </message>
    <message>
        <source>Put the visitor&apos;s card on the reader to pay from it.</source>
        <translation>请将游客的卡放到读卡器上以从卡中付款。</translation>
    </message>
    <message>
        <source>There is no annual pass {code!r}.</source>
        <translation>没有年卡 {code!r}。</translation>
    </message>
    <message>
        <source>An annual pass is personal: register the holder (with their ID) first.</source>
        <translation>年卡为个人专用：请先登记持卡人（凭证件）。</translation>
    </message>
    <message>
        <source>The ID number does not match the registered holder of card {serial}.</source>
        <translation>证件号码与卡 {serial} 的记名持卡人不符。</translation>
    </message>
    <message>
        <source>Check the ID document: the pass is sold only to the card&apos;s holder.</source>
        <translation>请核对证件：年卡只售给该卡持卡人。</translation>
    </message>
    <message>
        <source>Card {serial} is blacklisted or blocked: no pass can be bound to it.</source>
        <translation>卡 {serial} 已列入黑名单或已锁定：不能绑定年卡。</translation>
    </message>
    <message>
        <source>The {product} is not sold to cards of type {card_type}.</source>
        <translation>{product} 不向卡类型为 {card_type} 的卡出售。</translation>
    </message>
    <message>
        <source>{path} is not a photo the counter can keep.</source>
        <translation>{path} 不是系统可保存的照片。</translation>
    </message>
    <message>
        <source>Choose a JPEG, PNG or BMP file.</source>
        <translation>请选择 JPEG、PNG 或 BMP 文件。</translation>
    </message>
    <message>
        <source>The photo {path} is empty or larger than 5 MB.</source>
        <translation>照片 {path} 为空或大于 5 MB。</translation>
    </message>
    <message>
        <source>Choose a smaller photo.</source>
        <translation>请选择较小的照片。</translation>
    </message>
    <message>
        <source>There is no gate {gate!r} at this scenic area.</source>
        <translation>本景区没有闸口 {gate!r}。</translation>
    </message>
    <message>
        <source>Choose the gate in the ticket office page.</source>
        <translation>请在售票处页面选择闸口。</translation>
    </message>
    <message>
        <source>There is no ticket type {code!r}.</source>
        <translation>没有门票类型 {code!r}。</translation>
    </message>
    <message>
        <source>{count!r} is not a number of tickets.</source>
        <translation>{count!r} 不是有效的门票数量。</translation>
    </message>
    <message>
        <source>{count} tickets of one type is more than {limit}.</source>
        <translation>同一类型门票 {count} 张，超过上限 {limit} 张。</translation>
    </message>
    <message>
        <source>Sell a group in several baskets, or check the number typed.</source>
        <translation>团体请分多个购物篮出售，或核对输入的数量。</translation>
    </message>
    <message>
        <source>The prices changed since the basket was made.</source>
        <translation>购物篮创建后价格已变化。</translation>
    </message>
    <message>
        <source>Make the basket again.</source>
        <translation>请重新生成购物篮。</translation>
    </message>
    <message>
        <source>Card {serial} already has this pass, valid until {until}.</source>
        <translation>卡 {serial} 已有此年卡，有效期至 {until}。</translation>
    </message>
    <message>
        <source>{amount} is not an opening float.</source>
        <translation>{amount} 不是有效的备用金金额。</translation>
    </message>
    <message>
        <source>Type the cash in the drawer, between ¥0 and {maximum}.</source>
        <translation>请输入钱箱中的现金，介于 ¥0 与 {maximum} 之间。</translation>
    </message>
    <message>
        <source>{name} has no open shift on this counter.</source>
        <translation>{name} 在本柜台没有未结的班次。</translation>
    </message>
    <message>
        <source>The cash of shift {shift} was counted for closing; it takes no more transactions.</source>
        <translation>班次 {shift} 的现金已为结班清点，不再受理交易。</translation>
    </message>
    <message>
        <source>Close the shift, then open a new one.</source>
        <translation>请先结班，再开新班次。</translation>
    </message>
    <message>
        <source>The count of shift {shift} was already compared with the expected cash; it cannot change.</source>
        <translation>班次 {shift} 的实点金额已与应有现金比对，不能再修改。</translation>
    </message>
    <message>
        <source>Close the shift with a reason and a supervisor&apos;s approval.</source>
        <translation>请填写原因并经主管授权后结班。</translation>
    </message>
    <message>
        <source>The cash of shift {shift} has not been counted.</source>
        <translation>班次 {shift} 的现金尚未清点。</translation>
    </message>
    <message>
        <source>Count the cash in the drawer by denomination and declare it first.</source>
        <translation>请先按面额清点钱箱中的现金并申报。</translation>
    </message>
    <message>
        <source>There is no shift {shift} on this counter.</source>
        <translation>本柜台没有班次 {shift}。</translation>
    </message>
    <message>
        <source>Shift {shift} is already closed.</source>
        <translation>班次 {shift} 已结班。</translation>
    </message>
    <message>
        <source>The count must give pieces per denomination.</source>
        <translation>清点须按面额填写张（枚）数。</translation>
    </message>
    <message>
        <source>Unknown denomination(s): {denominations}.</source>
        <translation>未知面额：{denominations}。</translation>
    </message>
    <message>
        <source>Count only ¥100, 50, 20, 10, 5 and 1 notes and ¥1, 0.5 and 0.1 coins, in fen.</source>
        <translation>只清点 ¥100、50、20、10、5、1 纸币和 ¥1、0.5、0.1 硬币，以分为单位。</translation>
    </message>
    <message>
        <source>A count must be a whole number of pieces, 0 to {maximum}: {counts}.</source>
        <translation>清点数量须为 0 到 {maximum} 之间的整数：{counts}。</translation>
    </message>
    <message>
        <source>Count the pieces again.</source>
        <translation>请重新清点张（枚）数。</translation>
    </message>
    <message>
        <source>Write down why the cash differs and ask a supervisor to approve the close.</source>
        <translation>请写明现金差额的原因，并请主管授权结班。</translation>
    </message>
    <message>
        <source>{name} already has a shift open on this counter (shift {shift}, opened {opened}); one operator has one open shift per counter.</source>
        <translation>{name} 在本柜台已有未结班次（班次 {shift}，开班时间 {opened}）；每名操作员在每个柜台只能有一个未结班次。</translation>
    </message>
    <message>
        <source>The counted cash ({counted}) differs from the expected cash ({expected}) by {difference}, more than the tolerance of {tolerance}: closing needs a reason.</source>
        <translation>实点现金（{counted}）与应有现金（{expected}）相差 {difference}，超过允许差额 {tolerance}：结班须填写原因。</translation>
    </message>
    <message>
        <source>{name} already has a shift open on this counter; one operator has one open shift per counter.</source>
        <translation>{name} 在本柜台已有未结班次；每名操作员在每个柜台只能有一个未结班次。</translation>
    </message>
    <message>
        <source>The counted cash ({counted}) differs from the expected cash ({expected}) by {difference}, more than the tolerance of {tolerance}: closing needs a supervisor&apos;s approval.</source>
        <translation>实点现金（{counted}）与应有现金（{expected}）相差 {difference}，超过允许差额 {tolerance}：结班须经主管授权。</translation>
    </message>
    <message>
        <source>The counted cash ({counted}) differs from the expected cash ({expected}) by {difference}, more than the tolerance of {tolerance}: closing needs a reason and a supervisor&apos;s approval.</source>
        <translation>实点现金（{counted}）与应有现金（{expected}）相差 {difference}，超过允许差额 {tolerance}：结班须填写原因并经主管授权。</translation>
    </message>
    <message>
        <source>Put the same card back on the reader: the counter will check whether the top-up happened. Do not take or give back money until it says so.</source>
        <translation>请将同一张卡放回读卡器：系统将检查充值是否已完成。在系统提示之前，请勿收款或退款。</translation>
    </message>
    <message>
        <source>Keep the card on the reader: the interrupted top-up is checked first.</source>
        <translation>请将卡留在读卡器上：系统先检查中断的充值。</translation>
    </message>
    <message>
        <source>Do not load this card. Tell the customer why; call the supervisor if unsure.</source>
        <translation>请勿为此卡充值。请向客户说明原因；如有疑问请联系主管。</translation>
    </message>
    <message>
        <source>{payment_method} is not a payment method for a top-up.</source>
        <translation>{payment_method} 不是可用于充值的支付方式。</translation>
    </message>
    <message>
        <source>Card {serial} has an interrupted top-up.</source>
        <translation>卡 {serial} 有一笔中断的充值。</translation>
    </message>
    <message>
        <source>Offline top-ups are limited to {cap} each.</source>
        <translation>离线充值每笔上限为 {cap}。</translation>
    </message>
    <message>
        <source>Load at most {cap}, or wait until the clearing center is reachable.</source>
        <translation>请最多充值 {cap}，或等待清算中心恢复连接。</translation>
    </message>
    <message>
        <source>This shift reached its limit of {count} offline top-ups.</source>
        <translation>本班次的离线充值已达上限 {count} 笔。</translation>
    </message>
    <message>
        <source>Wait until the clearing center is reachable, then try again.</source>
        <translation>请等待清算中心恢复连接后重试。</translation>
    </message>
    <message>
        <source>This shift&apos;s offline top-ups would pass {cap}.</source>
        <translation>本班次的离线充值总额将超过 {cap}。</translation>
    </message>
    <message>
        <source>This counter has not reached the clearing center for {hours} hours.</source>
        <translation>本柜台已有 {hours} 小时未连接清算中心。</translation>
    </message>
    <message>
        <source>Restore the network connection and sync before more offline top-ups.</source>
        <translation>请恢复网络连接并同步后，再办理离线充值。</translation>
    </message>
    <message>
        <source>No top-up: the clearing center is not reachable, and {reason}</source>
        <translation>无法充值：清分中心无法连接，且{reason}</translation>
    </message>
    <message>
        <source>The clearing center refused this top-up: {reason}</source>
        <translation>清算中心拒绝了此次充值：{reason}</translation>
    </message>
    <message>
        <source>The card left the reader while it was being loaded ({reason}).</source>
        <translation>圈存过程中卡离开了读卡器（{reason}）。</translation>
    </message>
    <message>
        <source>the SAM&apos;s key directory (file 0x18) is not a whole number of entries</source>
        <translation>SAM 的密钥目录（文件 0x18）不是整数个条目</translation>
    </message>
    <message>
        <source>This counter&apos;s clock is about {minutes} minutes behind the clearing center&apos;s (at most {bound} seconds are allowed): no money is taken or loaded until it is set right.</source>
        <translation>本柜台的时钟比清算中心慢约 {minutes} 分钟（最多允许相差 {bound} 秒）：时钟校正之前不能收款，也不能充值。</translation>
    </message>
    <message>
        <source>This counter&apos;s clock is about {minutes} minutes ahead of the clearing center&apos;s (at most {bound} seconds are allowed): no money is taken or loaded until it is set right.</source>
        <translation>本柜台的时钟比清算中心快约 {minutes} 分钟（最多允许相差 {bound} 秒）：时钟校正之前不能收款，也不能充值。</translation>
    </message>
    <message>
        <source>Nothing was recorded and the card was not touched. Supervisor: set the computer&apos;s date and time correctly (or turn on automatic time synchronisation), wait for the next sync with the clearing center, then try again.</source>
        <translation>未记录任何内容，也未对卡进行操作。请主管将电脑的日期和时间设置正确（或开启自动时间同步），等待下一次与清算中心同步后再试。</translation>
    </message>
    <message>
        <source>The disk holding the journal is full ({path}): the last step was not recorded.</source>
        <translation>存放流水日志的磁盘已满（{path}）：最后一步未能记录。</translation>
    </message>
    <message>
        <source>This counter is suspended — call the issuer. ({detail})</source>
        <translation>本柜台已被停用——请联系发卡机构。（{detail}）</translation>
    </message>
    <message>
        <source>{what}: the answer is not signed by the clearing center this counter enrolled with</source>
        <translation>{what}：该应答未经本柜台注册时所登记的清算中心签名</translation>
    </message>
    <message>
        <source>Do not top up cards at this counter, online or offline. Call the issuer&apos;s back office with the counter&apos;s device id.</source>
        <translation>本柜台不得再办理充值（联机或脱机均不可）。请携本柜台设备编号联系发卡机构后台。</translation>
    </message>
    <message>
        <source>the center&apos;s table of interoperating cities is unusable: {reason}</source>
        <translation>中心下发的互联互通城市表无法使用：{reason}</translation>
    </message>
    <message>
        <source>The clearing center had lost this counter&apos;s records {first} to {last} (restored from a backup?); they were sent again. Tell the issuer&apos;s support.</source>
        <translation>清算中心丢失了本柜台第 {first} 至 {last} 条记录（可能是从备份恢复所致）；这些记录已重新上传。请告知发卡机构技术支持。</translation>
    </message>
    <message>
        <source>Keep the old counter&apos;s mirror drive as it is and call the issuer&apos;s support; the new counter works, but the old one&apos;s last records are not at the center yet.</source>
        <translation>请保持旧柜台镜像所在存储设备原样，并联系发卡机构技术支持；新柜台可以正常工作，但旧柜台最后的记录尚未到达清算中心。</translation>
    </message>
    <message>
        <source>There is no mirror file at {path}.</source>
        <translation>{path} 处没有镜像文件。</translation>
    </message>
    <message>
        <source>The mirror {path} cannot be read: {reason}.</source>
        <translation>无法读取镜像 {path}：{reason}。</translation>
    </message>
    <message>
        <source>The center refused record {seq} of the old counter&apos;s mirror: {reason}</source>
        <translation>清算中心拒收了旧柜台镜像中的第 {seq} 条记录：{reason}</translation>
    </message>
    <message>
        <source>The mirror {path} is the journal of device {found}, not of {expected} that this counter replaces.</source>
        <translation>镜像 {path} 是设备 {found} 的流水日志，而不是本柜台所替换的设备 {expected} 的。</translation>
    </message>
    <message>
        <source>Card {serial} is on the blacklist.</source>
        <translation>卡 {serial} 在黑名单上。</translation>
    </message>
    <message>
        <source>Card {serial} is a card of {city}: loss reports, replacements and refunds are done only by its home city.</source>
        <translation>卡 {serial} 是{city}的卡：挂失、补卡和退卡只能在其发卡城市办理。</translation>
    </message>
    <message>
        <source>Send the customer to a card outlet in {city} (or its issuer&apos;s service line); nothing was changed here.</source>
        <translation>请客户到{city}的一卡通网点（或拨打发卡机构客服电话）办理；本柜台未做任何更改。</translation>
    </message>
    <message>
        <source>Card {serial} was reported lost.</source>
        <translation>卡 {serial} 已挂失。</translation>
    </message>
    <message>
        <source>Card {serial} is a card of {city}; this counter tops up only its own city&apos;s cards.</source>
        <translation>卡 {serial} 是{city}的卡；本柜台只为本市的卡充值。</translation>
    </message>
    <message>
        <source>Top it up in its home city, or online where its issuer allows.</source>
        <translation>请在其发卡城市充值，或在发卡机构允许时通过线上渠道充值。</translation>
    </message>
    <message>
        <source>{amount} is below the {card_type} minimum of {low}.</source>
        <translation>{amount} 低于{card_type}的最低充值额 {low}。</translation>
    </message>
    <message>
        <source>Card {serial} is a card of {city} that is not interoperable.</source>
        <translation>卡 {serial} 是{city}的卡，不支持互联互通。</translation>
    </message>
    <message>
        <source>Take another payment method; the card works only in its home city.</source>
        <translation>请改用其他支付方式；此卡只能在其发卡城市使用。</translation>
    </message>
    <message>
        <source>Only registered cards can be reported lost; an anonymous card is like cash. A card of another city is reported in its home city.</source>
        <translation>只有记名卡可以挂失；不记名卡如同现金。外地的卡请在其发卡城市挂失。</translation>
    </message>
    <message>
        <source>Card {serial} is already reported lost.</source>
        <translation>卡 {serial} 已经挂失。</translation>
    </message>
    <message>
        <source>Card {serial} is not a stock card of this issuer.</source>
        <translation>卡 {serial} 不是本发卡机构的库存卡。</translation>
    </message>
    <message>
        <source>Use an unused card from this counter&apos;s stock.</source>
        <translation>请使用本柜台库存中的未使用卡。</translation>
    </message>
    <message>
        <source>Card {serial} is a card of {city}: paying from it needs the national interoperability key in the SAM, which this counter does not hold.</source>
        <translation>卡 {serial} 是{city}的卡：从该卡付款需要 SAM 中的全国互联互通消费密钥，本柜台没有此密钥。</translation>
    </message>
    <message>
        <source>Take the payment in cash, by bank card or by QR code.</source>
        <translation>请改收现金、银行卡或扫码支付。</translation>
    </message>
    <message>
        <source>Disk space is low: {free_mb} MB left for the counter&apos;s data (warning below {threshold_mb} MB). Supervisor: free space now; when the disk is full the counter takes no more money.</source>
        <translation>磁盘空间不足：柜台数据所在磁盘仅剩 {free_mb} MB（低于 {threshold_mb} MB 即告警）。请主管立即清理空间；磁盘写满后柜台将无法再收款。</translation>
    </message>
    <message>
        <source>The journal&apos;s mirror at {path} cannot be written ({problem}). The counter goes on with tighter offline limits. Supervisor: plug the mirror&apos;s drive back in or repair the share; it catches up by itself.</source>
        <translation>流水日志镜像 {path} 无法写入（{problem}）。柜台继续工作，但离线限额已收紧。请主管重新插好镜像所在的存储设备或修复共享目录；镜像会自动补齐。</translation>
    </message>
    <message>
        <source>The journal&apos;s mirror at {path} was not written ({problem}). Supervisor: keep that drive as it is and call support: it may hold records the journal lost.</source>
        <translation>未写入流水日志镜像 {path}（{problem}）。请主管保持该存储设备原样并联系技术支持：其中可能保存着流水日志丢失的记录。</translation>
    </message>
    <message>
        <source>Do not take the customer&apos;s money. Call the issuer&apos;s back office; the clearing center said: {reason}</source>
        <translation>请勿收取顾客款项。请联系发卡机构后台；清算中心答复：{reason}</translation>
    </message>
    <message>
        <source>This counter is suspended — call the issuer.</source>
        <translation>本柜台已被停用——请联系发卡机构。</translation>
    </message>
    <message>
        <source>Put the same card back on the reader: the counter checks whether the amount was taken back. Do not give any money back until it says so.</source>
        <translation>请将同一张卡放回读卡器：系统将检查金额是否已撤回。在系统提示之前，请勿退款。</translation>
    </message>
    <message>
        <source>There is no record {seq!r} in the journal.</source>
        <translation>流水日志中没有记录 {seq!r}。</translation>
    </message>
    <message>
        <source>Record {seq} was already voided (record {void}).</source>
        <translation>记录 {seq} 已撤销（撤销记录 {void}）。</translation>
    </message>
    <message>
        <source>Record {seq} belongs to shift {other}, not to this shift {shift}.</source>
        <translation>记录 {seq} 属于班次 {other}，不属于当前班次 {shift}。</translation>
    </message>
    <message>
        <source>Only the last transaction of the current shift can be voided.</source>
        <translation>只能撤销当前班次的最后一笔交易。</translation>
    </message>
    <message>
        <source>The card on the reader is {card}, not card {serial} of the top-up.</source>
        <translation>读卡器上的卡是 {card}，不是该笔充值的卡 {serial}。</translation>
    </message>
    <message>
        <source>Put the card that was topped up on the reader.</source>
        <translation>请将充值的那张卡放到读卡器上。</translation>
    </message>
    <message>
        <source>Record {seq} is not a top-up; only a top-up can be voided.</source>
        <translation>记录 {seq} 不是充值；只有充值可以撤销。</translation>
    </message>
    <message>
        <source>A return, replacement or exchange is not undone by a void.</source>
        <translation>退卡、补卡或换卡不能通过撤销来撤回。</translation>
    </message>
    <message>
        <source>Top-up {seq} is not the last transaction of the shift (record {last} is).</source>
        <translation>充值 {seq} 不是本班次的最后一笔交易（最后一笔是记录 {last}）。</translation>
    </message>
    <message>
        <source>Only the last transaction of the shift can be voided.</source>
        <translation>只能撤销本班次的最后一笔交易。</translation>
    </message>
    <message>
        <source>Top-up {seq} is more than {minutes} minutes old; it can no longer be voided.</source>
        <translation>充值 {seq} 已超过 {minutes} 分钟，不能再撤销。</translation>
    </message>
    <message>
        <source>Refund the card instead (card return), or call the supervisor.</source>
        <translation>请改为办理退卡退款，或联系主管。</translation>
    </message>
    <message>
        <source>Card {serial} holds {balance}, not the {after} the top-up left: it was used since, so the top-up cannot be voided.</source>
        <translation>卡 {serial} 余额为 {balance}，而不是充值后的 {after}：此后卡已被使用，不能撤销该笔充值。</translation>
    </message>
    <message>
        <source>Card {serial} was loaded again since top-up {seq}; it cannot be voided.</source>
        <translation>充值 {seq} 之后卡 {serial} 又有圈存，不能撤销。</translation>
    </message>
    <message>
        <source>The card left the reader while the top-up was taken back ({error}).</source>
        <translation>撤回充值时卡离开了读卡器（{error}）。</translation>
    </message>
    <message>
        <source>There is no counter store at {path}.</source>
        <translation>{path} 处没有柜台数据库。</translation>
    </message>
    <message>
        <source>The counter store file {path} is empty: its contents are gone or were never written.</source>
        <translation>柜台数据库文件 {path} 为空：其内容已丢失或从未写入。</translation>
    </message>
    <message>
        <source>{path} is not a counter store: it is not an SQLite database.</source>
        <translation>{path} 不是柜台数据库：它不是 SQLite 数据库。</translation>
    </message>
    <message>
        <source>The counter store {path} cannot be read: {reason}.</source>
        <translation>无法读取柜台数据库 {path}：{reason}。</translation>
    </message>
    <message>
        <source>{path} is an SQLite database but not a counter store (it is empty).</source>
        <translation>{path} 是 SQLite 数据库，但不是柜台数据库（数据库为空）。</translation>
    </message>
    <message>
        <source>{path} is an SQLite database but not a counter store (it has tables {tables}).</source>
        <translation>{path} 是 SQLite 数据库，但不是柜台数据库（其中的表为 {tables}）。</translation>
    </message>
    <message>
        <source>The counter store {path} has schema {revision}, newer than this version of the application knows ({known}).</source>
        <translation>柜台数据库 {path} 的结构版本为 {revision}，比本程序版本支持的（{known}）更新。</translation>
    </message>
    <message>
        <source>The disk holding the counter store is full ({path}): the change was not saved.</source>
        <translation>存放柜台数据库的磁盘已满（{path}）：本次更改未能保存。</translation>
    </message>
    <message>
        <source>The file was not changed. Check the data directory, restore the counter store from its backup (or, on a new counter, run the first-run set-up), and start again.</source>
        <translation>文件未作改动。请检查数据目录，从备份恢复柜台数据库（新柜台请运行首次设置），然后重新启动。</translation>
    </message>
    <message>
        <source>Install the application version that wrote it (or newer).</source>
        <translation>请安装写入该数据库的程序版本（或更新版本）。</translation>
    </message>
    <message>
        <source>Choose another username.</source>
        <translation>请选择其他用户名。</translation>
    </message>
    <message>
        <source>Create another admin first.</source>
        <translation>请先创建另一个管理员。</translation>
    </message>
    <message>
        <source>The username “{username}” is already taken.</source>
        <translation>用户名“{username}”已被占用。</translation>
    </message>
    <message>
        <source>“{username}” is the last active admin.</source>
        <translation>“{username}”是最后一个有效的管理员。</translation>
    </message>
    <message>
        <source>the journal record {seq} does not match its MAC: it was altered</source>
        <translation>日志记录 {seq} 与其 MAC 不符：已被篡改</translation>
    </message>
    <message>
        <source>Stop and call the issuer&apos;s support: the journal file was edited.</source>
        <translation>请停止操作并联系发卡机构技术支持：日志文件已被修改。</translation>
    </message>
    <message>
        <source>Choose a folder on a second disk, a USB drive or a network share, or leave it empty.</source>
        <translation>请选择第二块硬盘、U盘或网络共享上的文件夹，或留空。</translation>
    </message>
    <message>
        <source>The mirror&apos;s folder {path} is not there (drive not plugged in?).</source>
        <translation>镜像文件夹 {path} 不存在（驱动器没有插好？）。</translation>
    </message>
    <message>
        <source>The mirror&apos;s folder {path} is on the same disk as the journal (a drive not mounted?): the mirror would not survive that disk.</source>
        <translation>镜像文件夹 {path} 与流水日志在同一块磁盘上（驱动器没有挂载？）：这块磁盘损坏时镜像也会一起丢失。</translation>
    </message>
    <message>
        <source>The mirror&apos;s folder {path} cannot be examined ({reason}).</source>
        <translation>无法检查镜像文件夹 {path}（{reason}）。</translation>
    </message>
    <message>
        <source>There is no active operator “{username}”.</source>
        <translation>没有在用的操作员“{username}”。</translation>
    </message>
    <message>
        <source>An admin locked the account “{username}”.</source>
        <translation>管理员已锁定账户“{username}”。</translation>
    </message>
    <message>
        <source>The password record of “{username}” is not the one this counter&apos;s journal holds: it was changed outside the app.</source>
        <translation>“{username}”的密码记录与本柜台日志中的不一致：已在本程序之外被修改。</translation>
    </message>
    <message>
        <source>Reload the shift and check its state.</source>
        <translation>请重新加载班次并检查其状态。</translation>
    </message>
    <message>
        <source>Close the open shift first (or ask a supervisor to close it).</source>
        <translation>请先将未结班次结班（或请主管代为结班）。</translation>
    </message>
    <message>
        <source>There is no shift {shift}.</source>
        <translation>没有班次 {shift}。</translation>
    </message>
    <message>
        <source>{operator} already has a shift open.</source>
        <translation>{operator} 已有未结班次。</translation>
    </message>
    <message>
        <source>The count of shift {shift} was already compared with the expected cash.</source>
        <translation>班次 {shift} 的实点金额已与应有现金比对。</translation>
    </message>
    <message>
        <source>Shift {shift} has no declared count.</source>
        <translation>班次 {shift} 没有申报的清点金额。</translation>
    </message>
    <message>
        <source>{operator} already has shift {shift} open.</source>
        <translation>{operator} 已有未结班次 {shift}。</translation>
    </message>
    <message>
        <source>Keep the city table in force and ask the center for a corrected one.</source>
        <translation>继续使用现行城市表，并请清分中心提供更正后的城市表。</translation>
    </message>
    <message>
        <source>{what} must be {digits} hex digits, not {value}.</source>
        <translation>{what} 应为 {digits} 位十六进制数字，而不是 {value}。</translation>
    </message>
    <message>
        <source>Every city in the table needs a key and a name.</source>
        <translation>城市表中的每个城市都需要标识和名称。</translation>
    </message>
    <message>
        <source>City {key}: issuer codes and ids must be lists.</source>
        <translation>城市 {key}：发卡机构代码和标识必须是列表。</translation>
    </message>
    <message>
        <source>The city table gives code {code} ({index}) to both {first} and {second}.</source>
        <translation>城市表把代码 {code}（{index}）同时分配给了 {first} 和 {second}。</translation>
    </message>
    <message>
        <source>A city table&apos;s version is a positive whole number.</source>
        <translation>城市表的版本号必须是正整数。</translation>
    </message>
    <message>
        <source>This is not a city table ({problem}).</source>
        <translation>这不是城市表（{problem}）。</translation>
    </message>
    <message>
        <source>card type code {code} is not one byte</source>
        <translation>卡类型代码 {code} 不是一个字节</translation>
    </message>
    <message>
        <source>card type {code}: need 0 &lt; min ≤ max ≤ balance ceiling</source>
        <translation>卡类型 {code}：须满足 0 &lt; 最小值 ≤ 最大值 ≤ 余额上限</translation>
    </message>
    <message>
        <source>card type {code}: min is not a multiple of the step</source>
        <translation>卡类型 {code}：最小值不是步长的整数倍</translation>
    </message>
    <message>
        <source>card type {code}: ceiling or fees out of range</source>
        <translation>卡类型 {code}：余额上限或手续费超出范围</translation>
    </message>
    <message>
        <source>parameters need a version, issuer codes and card types</source>
        <translation>参数须包含版本、发卡机构代码和卡类型</translation>
    </message>
    <message>
        <source>a card type is defined twice</source>
        <translation>某卡类型重复定义</translation>
    </message>
    <message>
        <source>offline brakes cannot be negative</source>
        <translation>离线限额不能为负数</translation>
    </message>
    <message>
        <source>the brakes without a mirror are a percentage (0-100)</source>
        <translation>无镜像时的离线限额必须是百分比（0-100）</translation>
    </message>
    <message>
        <source>the clock skew bound must be at least a second</source>
        <translation>时钟偏差上限至少为一秒</translation>
    </message>
    <message>
        <source>fees and waiting periods cannot be negative</source>
        <translation>手续费和等待期不能为负数</translation>
    </message>
    <message>
        <source>the parameter document is malformed: {reason}</source>
        <translation>参数文件格式错误：{reason}</translation>
    </message>
    <message>
        <source>scenic ticket type {code!r} is unknown</source>
        <translation>景区门票类型 {code!r} 未知</translation>
    </message>
    <message>
        <source>scenic ticket {code}: only the free ticket costs nothing</source>
        <translation>景区门票 {code}：只有免票可以不收费</translation>
    </message>
    <message>
        <source>annual pass {code!r}: needs a code and a price</source>
        <translation>年卡 {code!r}：须有代码和价格</translation>
    </message>
    <message>
        <source>annual pass {code}: validity {validity!r} is unknown</source>
        <translation>年卡 {code}：有效期 {validity!r} 未知</translation>
    </message>
    <message>
        <source>annual pass {code}: days out of range</source>
        <translation>年卡 {code}：天数超出范围</translation>
    </message>
    <message>
        <source>the scenic catalogue needs gates and an interval ≥ 0</source>
        <translation>景区产品目录须包含闸口，且间隔 ≥ 0</translation>
    </message>
    <message>
        <source>a scenic product is defined twice</source>
        <translation>某景区产品重复定义</translation>
    </message>
    <message>
        <source>Shift report</source>
        <translation>班次报表</translation>
    </message>
    <message>
        <source>Daily report</source>
        <translation>日报表</translation>
    </message>
    <message>
        <source>Shift report — shift {shift}</source>
        <translation>班次报表 — 班次 {shift}</translation>
    </message>
    <message>
        <source>Daily report — {day}</source>
        <translation>日报表 — {day}</translation>
    </message>
    <message>
        <source>Device</source>
        <translation>设备</translation>
    </message>
    <message>
        <source>Terminal</source>
        <translation>终端</translation>
    </message>
    <message>
        <source>Shift</source>
        <translation>班次</translation>
    </message>
    <message>
        <source>Operator</source>
        <translation>操作员</translation>
    </message>
    <message>
        <source>Opened</source>
        <translation>开班时间</translation>
    </message>
    <message>
        <source>Closed</source>
        <translation>结班时间</translation>
    </message>
    <message>
        <source>still open</source>
        <translation>尚未结班</translation>
    </message>
    <message>
        <source>Day</source>
        <translation>日期</translation>
    </message>
    <message>
        <source>Time zone</source>
        <translation>时区</translation>
    </message>
    <message>
        <source>Generated</source>
        <translation>生成时间</translation>
    </message>
    <message>
        <source>As of journal seq</source>
        <translation>截至流水序号</translation>
    </message>
    <message>
        <source>Transactions by kind and payment method</source>
        <translation>按交易类型和支付方式统计</translation>
    </message>
    <message>
        <source>Money by payment method</source>
        <translation>按支付方式统计金额</translation>
    </message>
    <message>
        <source>Cash drawer</source>
        <translation>钱箱</translation>
    </message>
    <message>
        <source>Shifts</source>
        <translation>班次</translation>
    </message>
    <message>
        <source>Voids and reprints</source>
        <translation>撤销与重打</translation>
    </message>
    <message>
        <source>Offline and unsynced</source>
        <translation>离线与未同步</translation>
    </message>
    <message>
        <source>Grey records (unfinished card writes)</source>
        <translation>灰记录（未完成的写卡）</translation>
    </message>
    <message>
        <source>Takings by hour</source>
        <translation>按小时统计营收</translation>
    </message>
    <message>
        <source>Purse payments by the card&apos;s home city</source>
        <translation>按卡属地统计的卡内消费</translation>
    </message>
    <message>
        <source>This city&apos;s cards</source>
        <translation>本市卡</translation>
    </message>
    <message>
        <source>Journal reference</source>
        <translation>流水日志引用</translation>
    </message>
    <message>
        <source>Kind</source>
        <translation>类型</translation>
    </message>
    <message>
        <source>Payment method</source>
        <translation>支付方式</translation>
    </message>
    <message>
        <source>Count</source>
        <translation>笔数</translation>
    </message>
    <message>
        <source>Amount</source>
        <translation>金额</translation>
    </message>
    <message>
        <source>In</source>
        <translation>收入</translation>
    </message>
    <message>
        <source>Out</source>
        <translation>支出</translation>
    </message>
    <message>
        <source>Net</source>
        <translation>净额</translation>
    </message>
    <message>
        <source>Hour</source>
        <translation>小时</translation>
    </message>
    <message>
        <source>Takings</source>
        <translation>营收</translation>
    </message>
    <message>
        <source>Seq</source>
        <translation>序号</translation>
    </message>
    <message>
        <source>Card</source>
        <translation>卡</translation>
    </message>
    <message>
        <source>Time</source>
        <translation>时间</translation>
    </message>
    <message>
        <source>Item</source>
        <translation>项目</translation>
    </message>
    <message>
        <source>Value</source>
        <translation>值</translation>
    </message>
    <message>
        <source>Section</source>
        <translation>部分</translation>
    </message>
    <message>
        <source>Total</source>
        <translation>合计</translation>
    </message>
    <message>
        <source>—</source>
        <translation>—</translation>
    </message>
    <message>
        <source>Card writes that did not happen</source>
        <translation>未完成的写卡</translation>
    </message>
    <message>
        <source>Opening float</source>
        <translation>备用金</translation>
    </message>
    <message>
        <source>Expected cash</source>
        <translation>应有现金</translation>
    </message>
    <message>
        <source>Counted cash</source>
        <translation>实点现金</translation>
    </message>
    <message>
        <source>Difference (counted − expected)</source>
        <translation>差额（实点 − 应有）</translation>
    </message>
    <message>
        <source>not revealed until the shift is closed</source>
        <translation>结班前不显示</translation>
    </message>
    <message>
        <source>Reason for the difference</source>
        <translation>差额原因</translation>
    </message>
    <message>
        <source>Approved by</source>
        <translation>授权人</translation>
    </message>
    <message>
        <source>Closed by</source>
        <translation>结班人</translation>
    </message>
    <message>
        <source>Denomination</source>
        <translation>面额</translation>
    </message>
    <message>
        <source>Pieces</source>
        <translation>张（枚）数</translation>
    </message>
    <message>
        <source>Voids</source>
        <translation>撤销</translation>
    </message>
    <message>
        <source>Receipt reprints</source>
        <translation>小票重打</translation>
    </message>
    <message>
        <source>Offline top-ups (MAC2 from this counter&apos;s SAM)</source>
        <translation>离线充值（由本柜台 SAM 生成 MAC2）</translation>
    </message>
    <message>
        <source>Not yet acknowledged by the clearing center</source>
        <translation>清算中心尚未确认</translation>
    </message>
    <message>
        <source>None: every card write was settled.</source>
        <translation>无：所有写卡均已结算。</translation>
    </message>
    <message>
        <source>Checkpoint</source>
        <translation>检查点</translation>
    </message>
    <message>
        <source>Checkpoint seq</source>
        <translation>检查点序号</translation>
    </message>
    <message>
        <source>Checkpoint signed</source>
        <translation>检查点签名时间</translation>
    </message>
    <message>
        <source>Chain head MAC at the checkpoint</source>
        <translation>检查点处的链头 MAC</translation>
    </message>
    <message>
        <source>Checkpoint signature (SM2)</source>
        <translation>检查点签名（SM2）</translation>
    </message>
    <message>
        <source>Device key fingerprint</source>
        <translation>设备密钥指纹</translation>
    </message>
    <message>
        <source>Last record of this report</source>
        <translation>本报表最后一条记录</translation>
    </message>
    <message>
        <source>MAC of the report&apos;s last record</source>
        <translation>本报表最后一条记录的 MAC</translation>
    </message>
    <message>
        <source>Journal head seq</source>
        <translation>流水日志最新序号</translation>
    </message>
    <message>
        <source>The checkpoint does not yet cover this report&apos;s last record.</source>
        <translation>检查点尚未覆盖本报表的最后一条记录。</translation>
    </message>
    <message>
        <source>Page {page} of {pages}</source>
        <translation>第 {page} 页，共 {pages} 页</translation>
    </message>
    <message>
        <source>Admission tickets by type and payment method</source>
        <translation>按类型和支付方式统计门票</translation>
    </message>
    <message>
        <source>Annual passes sold</source>
        <translation>年卡销售</translation>
    </message>
    <message>
        <source>Admissions by hour</source>
        <translation>按小时统计入园</translation>
    </message>
    <message>
        <source>Admissions by gate</source>
        <translation>按闸口统计入园</translation>
    </message>
    <message>
        <source>Passes used twice within the interval</source>
        <translation>间隔内重复使用的年卡</translation>
    </message>
    <message>
        <source>Free</source>
        <translation>免票</translation>
    </message>
    <message>
        <source>Top-up</source>
        <translation>充值</translation>
    </message>
    <message>
        <source>Purchase</source>
        <translation>消费</translation>
    </message>
    <message>
        <source>Replacement</source>
        <translation>补卡</translation>
    </message>
    <message>
        <source>Damaged-card exchange</source>
        <translation>换卡</translation>
    </message>
    <message>
        <source>Card return refund</source>
        <translation>退卡退款</translation>
    </message>
    <message>
        <source>Loss report</source>
        <translation>挂失</translation>
    </message>
    <message>
        <source>Loss report cancelled</source>
        <translation>解挂</translation>
    </message>
    <message>
        <source>Card blocked</source>
        <translation>锁卡</translation>
    </message>
    <message>
        <source>Void</source>
        <translation>撤销</translation>
    </message>
    <message>
        <source>Receipt reprint</source>
        <translation>小票重打</translation>
    </message>
    <message>
        <source>Admission tickets</source>
        <translation>门票</translation>
    </message>
    <message>
        <source>Annual pass</source>
        <translation>年卡</translation>
    </message>
    <message>
        <source>Adult</source>
        <translation>成人</translation>
    </message>
    <message>
        <source>Child</source>
        <translation>儿童</translation>
    </message>
    <message>
        <source>Senior</source>
        <translation>老人</translation>
    </message>
    <message>
        <source>Cash</source>
        <translation>现金</translation>
    </message>
    <message>
        <source>Bank card</source>
        <translation>银行卡</translation>
    </message>
    <message>
        <source>WeChat Pay</source>
        <translation>微信支付</translation>
    </message>
    <message>
        <source>Alipay</source>
        <translation>支付宝</translation>
    </message>
    <message>
        <source>Balance transfer</source>
        <translation>余额转移</translation>
    </message>
    <message>
        <source>Card purse</source>
        <translation>电子钱包</translation>
    </message>
    <message>
        <source>There is no open shift.</source>
        <translation>当前没有未结班次。</translation>
    </message>
    <message>
        <source>Put card {expected} on the reader, or read the card again.</source>
        <translation>请将卡 {expected} 放到读卡器上，或重新读卡。</translation>
    </message>
    <message>
        <source>Card {found} is on the reader, not damaged card {expected}.</source>
        <translation>读卡器上的卡是 {found}，不是待换的损坏卡 {expected}。</translation>
    </message>
    <message>
        <source>Card {found} is on the reader, not card {expected} that was quoted.</source>
        <translation>读卡器上的卡是 {found}，不是已报价的卡 {expected}。</translation>
    </message>
    <message>
        <source>Nothing was changed. Check the disk and the data folder&apos;s permissions.</source>
        <translation>未作任何更改。请检查磁盘空间和数据文件夹的权限。</translation>
    </message>
    <message>
        <source>The settings could not be written to {path} ({reason}).</source>
        <translation>无法将设置写入 {path}（{reason}）。</translation>
    </message>
    <message>
        <source>The printer {printer} could not start printing.</source>
        <translation>打印机 {printer} 无法开始打印。</translation>
    </message>
    <message>
        <source>The receipt printer ({printer}) did not print: {reason}</source>
        <translation>小票打印机（{printer}）未打印：{reason}</translation>
    </message>
    <message>
        <source>The receipt printer setting {field} is missing or empty.</source>
        <translation>小票打印机设置项 {field} 缺失或为空。</translation>
    </message>
    <message>
        <source>Ticket type</source>
        <translation>门票类型</translation>
    </message>
    <message>
        <source>Gate</source>
        <translation>闸口</translation>
    </message>
    <message>
        <source>Admissions</source>
        <translation>入园人次</translation>
    </message>
    <message>
        <source>Card {found} is on the reader, not card {expected} that was shown.</source>
        <translation>读卡器上是卡 {found}，不是刚才显示的卡 {expected}。</translation>
    </message>
    <message>
        <source>The SAM in the reader is terminal {sam}; this counter is terminal {counter}.</source>
        <translation>读卡器中的SAM卡属于终端 {sam}；本柜台是终端 {counter}。</translation>
    </message>
    <message>
        <source>The card on the reader is {serial}, not card {expected} that this top-up is for.</source>
        <translation>读卡器上的卡是 {serial}，不是本次充值的卡 {expected}。</translation>
    </message>
    <message>
        <source>Put card {expected} back on the reader, or close and start again.</source>
        <translation>请将卡 {expected} 放回读卡器，或关闭后重新开始。</translation>
    </message>
    <message>
        <source>Check that the printer is switched on, connected and has paper, then print the receipt again (a reprint needs a supervisor&apos;s approval).</source>
        <translation>请检查打印机是否已开机、已连接且有纸，然后重新打印小票（重打须经主管授权）。</translation>
    </message>
    <message>
        <source>Choose the receipt printer again in the settings.</source>
        <translation>请在设置中重新选择小票打印机。</translation>
    </message>
    <message>
        <source>{kind} is not a kind of receipt printer.</source>
        <translation>{kind} 不是有效的小票打印机类型。</translation>
    </message>
    <message>
        <source>The receipt printer setting {field} must be a number from {low} to {high}.</source>
        <translation>小票打印机设置项 {field} 必须是 {low} 到 {high} 之间的数字。</translation>
    </message>
    <message>
        <source>a keystore already exists at {path}; it was left untouched</source>
        <translation>{path} 处已存在密钥库，未作改动</translation>
    </message>
    <message>
        <source>{path} is not a keystore this version understands</source>
        <translation>{path} 不是本版本可识别的密钥库</translation>
    </message>
    <message>
        <source>no keystore at {path}; run the set-up first</source>
        <translation>{path} 处没有密钥库；请先运行设置</translation>
    </message>
    <message>
        <source>the keystore at {path} is not readable: {reason}</source>
        <translation>无法读取 {path} 处的密钥库：{reason}</translation>
    </message>
    <message>
        <source>the keystore at {path} asks for an absurd KDF cost; damaged?</source>
        <translation>{path} 处的密钥库要求的 KDF 开销异常，是否已损坏？</translation>
    </message>
    <message>
        <source>the keystore at {path} is damaged</source>
        <translation>{path} 处的密钥库已损坏</translation>
    </message>
    <message>
        <source>wrong keystore passphrase, or the keystore file was altered</source>
        <translation>密钥库口令错误，或密钥库文件已被篡改</translation>
    </message>
    <message>
        <source>the keystore holds no key named {name!r}</source>
        <translation>密钥库中没有名为 {name!r} 的密钥</translation>
    </message>
    <message>
        <source>a base64 field has an impossible length</source>
        <translation>某个 base64 字段的长度不可能成立</translation>
    </message>
    <message>
        <source>a base64 field is not canonical</source>
        <translation>某个 base64 字段不是规范编码</translation>
    </message>
    <message>
        <source>the stored password hash is not a string of sane length</source>
        <translation>存储的密码哈希不是长度合理的字符串</translation>
    </message>
    <message>
        <source>the stored password hash is not an argon2id$v=19$m=,t=,p= string</source>
        <translation>存储的密码哈希不是 argon2id$v=19$m=,t=,p= 格式的字符串</translation>
    </message>
    <message>
        <source>Argon2 version {version} is not supported</source>
        <translation>不支持 Argon2 版本 {version}</translation>
    </message>
    <message>
        <source>the stored password hash asks for an absurd cost: {problem}</source>
        <translation>存储的密码哈希要求的开销异常：{problem}</translation>
    </message>
    <message>
        <source>a base64 field is malformed: {reason}</source>
        <translation>某个 base64 字段格式错误：{reason}</translation>
    </message>
    <message>
        <source>an SM2 public key is 64 bytes (x ‖ y), not {length}</source>
        <translation>SM2 公钥应为 64 字节（x ‖ y），而不是 {length}</translation>
    </message>
    <message>
        <source>the SM2 public key is not a point on the curve</source>
        <translation>该 SM2 公钥不是曲线上的点</translation>
    </message>
    <message>
        <source>SM2 point multiplication gave the point at infinity</source>
        <translation>SM2 点乘得到了无穷远点</translation>
    </message>
    <message>
        <source>SM2 encryption needs at least one byte of plaintext</source>
        <translation>SM2 加密至少需要一个字节的明文</translation>
    </message>
    <message>
        <source>not an SM2 ciphertext (04 ‖ x ‖ y ‖ C3 ‖ C2)</source>
        <translation>不是 SM2 密文（04 ‖ x ‖ y ‖ C3 ‖ C2）</translation>
    </message>
    <message>
        <source>the SM2 ciphertext does not decrypt (KDF output is zero)</source>
        <translation>该 SM2 密文无法解密（KDF 输出为零）</translation>
    </message>
    <message>
        <source>the SM2 ciphertext does not decrypt with this key (C3 does not match)</source>
        <translation>该 SM2 密文无法用此密钥解密（C3 不匹配）</translation>
    </message>
    <message>
        <source>an SM2 private key is 32 bytes</source>
        <translation>SM2 私钥应为 32 字节</translation>
    </message>
    <message>
        <source>the SM2 private key is out of range</source>
        <translation>该 SM2 私钥超出范围</translation>
    </message>
    <message>
        <source>The counter uses the default settings. The unusable file was kept as {kept}; set the settings again, or ask a technician to look at that file.</source>
        <translation>柜台正在使用默认设置。无法使用的文件已保存为 {kept}；请重新进行设置，或请技术人员检查该文件。</translation>
    </message>
    <message>
        <source>The settings file {path} was unusable ({reason}).</source>
        <translation>设置文件 {path} 无法使用（{reason}）。</translation>
    </message>
    <message>
        <source>“{language}” is not a language of this counter.</source>
        <translation>“{language}”不是本柜台支持的语言。</translation>
    </message>
    <message>
        <source>Choose Chinese (zh_CN) or English (en).</source>
        <translation>请选择中文（zh_CN）或英文（en）。</translation>
    </message>
    <message>
        <source>The CA file {path} does not exist.</source>
        <translation>CA 文件 {path} 不存在。</translation>
    </message>
    <message>
        <source>Choose the CA certificate file the issuer gave you, or leave it empty.</source>
        <translation>请选择发卡机构提供的 CA 证书文件，或留空。</translation>
    </message>
    <message>
        <source>{value} is not a disk space warning threshold.</source>
        <translation>{value} 不是有效的磁盘空间告警阈值。</translation>
    </message>
    <message>
        <source>Type a number of megabytes from 0 to 1000000.</source>
        <translation>请输入 0 到 1000000 之间的兆字节数。</translation>
    </message>
    <message>
        <source>The journal mirror folder {path} is not a full path.</source>
        <translation>流水日志镜像文件夹 {path} 不是完整路径。</translation>
    </message>
    <message>
        <source>Choose a folder on a second disk, a USB drive or a network share.</source>
        <translation>请选择第二块磁盘、U 盘或网络共享上的文件夹。</translation>
    </message>
    <message>
        <source>The receipt printer settings are not valid.</source>
        <translation>小票打印机设置无效。</translation>
    </message>
    <message>
        <source>“{url}” is not the address of a clearing center.</source>
        <translation>“{url}”不是清算中心的地址。</translation>
    </message>
    <message>
        <source>Type it as https://host[:port], as the issuer gave it; or leave it empty.</source>
        <translation>请按发卡机构提供的格式输入 https://host[:port]，或留空。</translation>
    </message>
    <message>
        <source>The settings file {path} cannot be read ({reason}).</source>
        <translation>无法读取设置文件 {path}（{reason}）。</translation>
    </message>
    <message>
        <source>The counter uses the default settings. Ask a technician to check the file&apos;s permissions.</source>
        <translation>柜台正在使用默认设置。请技术人员检查该文件的权限。</translation>
    </message>
    <message>
        <source>Do not take money for this operation yet. Ask a supervisor to free space on the disk (or to call support); meanwhile the counter still reads cards and prints reports. If a card was on the reader, put it back once space is freed: the counter then checks and records what happened to it.</source>
        <translation>本笔业务暂不要收款。请主管清理磁盘空间（或联系技术支持）；在此期间柜台仍可读卡和打印报表。如果刚才有卡在读卡器上，请在空间释放后把卡放回：柜台会核对并记录这张卡上发生了什么。</translation>
    </message>
    <message>
        <source>Put this counter&apos;s own SAM in the reader&apos;s SAM slot; call the supervisor.</source>
        <translation>请将本柜台自己的SAM卡插入读卡器的SAM卡座；并联系主管。</translation>
    </message>
    <message>
        <source>{path} already exists: this counter is already set up.</source>
        <translation>{path} 已存在：本柜台已完成设置。</translation>
    </message>
    <message>
        <source>{file}: {problem}</source>
        <translation>{file}：{problem}</translation>
    </message>
</context>
<context>
    <name>payments</name>
    <message>
        <source>Cash</source>
        <translation>现金</translation>
    </message>
    <message>
        <source>Bank card</source>
        <translation>银行卡</translation>
    </message>
    <message>
        <source>WeChat Pay</source>
        <translation>微信支付</translation>
    </message>
    <message>
        <source>Alipay</source>
        <translation>支付宝</translation>
    </message>
    <message>
        <source>Balance transfer</source>
        <translation>余额转移</translation>
    </message>
    <message>
        <source>Card purse</source>
        <translation>电子钱包</translation>
    </message>
</context>
<context>
    <name>startup</name>
    <message>
        <source>The language {0} is not installed on this counter.</source>
        <translation>本柜台未安装语言 {0}。</translation>
    </message>
    <message>
        <source>The window stays in English. Ask a technician to install the translations.</source>
        <translation>窗口将保持英文显示。请技术人员安装翻译文件。</translation>
    </message>
    <message>
        <source>&amp;Reports…</source>
        <translation>报表(&amp;R)…</translation>
    </message>
    <message>
        <source>The diagnostics file could not be written.</source>
        <translation>无法写入诊断文件。</translation>
    </message>
    <message>
        <source>Diagnostics saved to {0}</source>
        <translation>诊断文件已保存到 {0}</translation>
    </message>
    <message>
        <source>The path is on the clipboard. Send this file to support: it holds the logs, the versions and the settings, never the journal or any key.</source>
        <translation>路径已复制到剪贴板。请将此文件发给技术支持：其中包含日志、版本和设置，绝不包含流水日志或任何密钥。</translation>
    </message>
    <message>
        <source>Copy &amp;diagnostics</source>
        <translation>复制诊断信息(&amp;D)</translation>
    </message>
    <message>
        <source>City card counter</source>
        <translation>城市一卡通柜台</translation>
    </message>
</context>
</TS>
