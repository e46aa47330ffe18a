// Background saving: with JavaScript, each answer is saved as soon as it changes, so closing the
// tab loses nothing. Without JavaScript the page still saves when it is submitted.
//
// Saves of one item run one after another, each sending the version the previous one returned,
// so quick changes never collide with each other; the form waits for them before it submits.
const form = document.querySelector('form[data-autosave]')

if (form) {
  const url = form.dataset.autosave
  const status = form.querySelector('[data-save-status]')
  const queues = new Map()
  const timers = new Map()
  let pending = 0

  const say = (text) => { if (status) status.textContent = text }
  const field = (prefix, itemId) => form.querySelector(`[name="${prefix}-${CSS.escape(itemId)}"]`)

  const answerFor = (itemId) => {
    const checked = form.querySelector(`input[name="answer-${CSS.escape(itemId)}"]:checked`)
    const evidence = field('evidence', itemId)
    const version = field('version', itemId)
    return {
      item_id: itemId,
      value: checked ? (/^\d+$/.test(checked.value) ? Number(checked.value) : checked.value) : null,
      evidence: evidence ? evidence.value : '',
      version: version ? Number(version.value) : 0
    }
  }

  const send = async (itemId) => {
    const answer = answerFor(itemId)
    if (answer.value === null && !answer.evidence) return
    try {
      const response = await fetch(url, {
        method: 'PUT',
        headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
        body: JSON.stringify({ answers: [answer] })
      })
      const body = await response.json()
      if (response.ok) {
        for (const saved of body.saved) {
          const version = field('version', saved.item_id)
          if (version) version.value = saved.version
        }
        say(`Saved at ${new Date().toLocaleTimeString('en-GB', { hour: '2-digit', minute: '2-digit' })}`)
      } else if (response.status === 409) {
        say('This answer was changed in another tab or window. Select ‘Save and continue’ to see the newer answer.')
      } else {
        say('Not saved yet: select ‘Save and continue’ to save this page and see what needs changing.')
      }
    } catch (error) {
      say('Not saved yet (no connection). Your answers are still on this page; select ‘Save and continue’ when you are back online.')
    }
  }

  const save = (itemId) => {
    pending += 1
    const previous = queues.get(itemId) || Promise.resolve()
    const next = previous.then(() => send(itemId)).finally(() => { pending -= 1 })
    queues.set(itemId, next)
    return next
  }

  const itemOf = (element) => element.closest('[data-item]')?.dataset.item

  form.addEventListener('change', (event) => {
    const itemId = itemOf(event.target)
    if (itemId && event.target.type === 'radio') save(itemId)
  })
  form.addEventListener('input', (event) => {
    const itemId = itemOf(event.target)
    if (!itemId || event.target.tagName !== 'TEXTAREA') return
    clearTimeout(timers.get(itemId))
    timers.set(itemId, setTimeout(() => save(itemId), 1500))
  })
  // The page's own submit always saves everything on it, so unsent comments need no background
  // save; only a save already on its way must finish first, or the page would collide with it.
  form.addEventListener('submit', (event) => {
    for (const timer of timers.values()) clearTimeout(timer)
    if (pending === 0) return
    event.preventDefault()
    const submitter = event.submitter
    Promise.allSettled([...queues.values()]).then(() => {
      if (submitter && submitter.name) {
        const choice = document.createElement('input')
        choice.type = 'hidden'
        choice.name = submitter.name
        choice.value = submitter.value
        form.appendChild(choice)
      }
      HTMLFormElement.prototype.submit.call(form)
    })
  })
}
